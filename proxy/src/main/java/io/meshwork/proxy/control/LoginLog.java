package io.meshwork.proxy.control;

import io.meshwork.proxyapi.AwsLogin;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * Tells the operator which AWS identity the proxy acts as, and why the control API would not
 * take it (a role without a mapping, STS down), once per distinct reason rather than at every
 * retry. Secrets never reach it: a session prints as its key id, principal and expiry.
 */
final class LoginLog implements ControlApiCredentialsProvider.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(LoginLog.class);

    private String lastFailure;

    @Override
    public synchronized void loggedIn(AwsLogin.Session session) {
        LOG.info("logged in to the control API as AWS principal {} (mapping {}): session {} until {}",
                session.principalArn(), session.mappedArn(), session.accessKeyId(), java.time.Instant.ofEpochMilli(session.expirationMillis()));
        lastFailure = null;
    }

    @Override
    public synchronized void loginFailed(String message, boolean keptCurrentSession) {
        if (!Objects.equals(message, lastFailure)) {
            LOG.warn("the control API did not take this proxy's AWS identity: {}{}", message,
                    keptCurrentSession ? "; the current session serves until it expires" : "");
            lastFailure = message;
        }
    }
}
