package io.meshwork.proxyapi.login;

import io.meshwork.proxyapi.AwsLogin;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Credentials for calls to the control API, for any SigV4 client (the proxy, an
 * {@code AppMeshClient}, a pipeline). They come from an AWS credentials provider, by default
 * the standard chain (environment, web identity for IRSA, profiles, ECS and EKS Pod Identity
 * container credentials, EC2 instance profile):
 * <ul>
 *   <li>a Meshwork key (not AWS-issued, see {@link AwsAccessKeys}) signs as it is;</li>
 *   <li>AWS credentials cannot: the control API does not know their secret and so cannot check
 *       a signature made with it. They log in instead ({@code POST /meshwork/v1/aws-login} with a
 *       signed {@code sts:GetCallerIdentity} the control API sends on to STS) and sign with the
 *       Meshwork session credentials they get, logging in again when two thirds of the session's
 *       life have passed, each time with credentials fresh from the chain (so temporary AWS
 *       credentials that rotate keep working).</li>
 * </ul>
 * A failed re-login keeps the current session while it is still good and tries again at the
 * next call.
 */
public final class ControlApiCredentialsProvider implements AwsCredentialsProvider {
    /** What happens to the session, for the caller's log. */
    public interface Listener {
        default void loggedIn(AwsLogin.Session session) {
        }

        default void loginFailed(String message, boolean keptCurrentSession) {
        }
    }

    private record Current(AwsSessionCredentials credentials, AwsLogin.Session session, long refreshAtMillis,
                           long usableUntilMillis) {
    }

    private final AwsCredentialsProvider aws;
    private final URI controlApi;
    private final ControlApiLogin control;
    private final String serverId;
    private final Clock clock;
    private final Listener listener;
    private AwsLogin.Parameters parameters;
    private volatile Current current;

    private ControlApiCredentialsProvider(Builder builder) {
        this.aws = builder.aws != null ? builder.aws : DefaultCredentialsProvider.builder().build();
        this.controlApi = Objects.requireNonNull(builder.controlApi, "controlApi");
        this.control = new ControlApiLogin(controlApi);
        this.serverId = builder.serverId != null ? builder.serverId : serverIdOf(controlApi);
        this.clock = builder.clock;
        this.listener = builder.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server id a client of {@code controlApi} signs into its logins: the URL's host name, lower case. */
    public static String serverIdOf(URI controlApi) {
        if (controlApi.getHost() == null) {
            throw new IllegalArgumentException("the control API URL " + controlApi + " has no host name");
        }
        return controlApi.getHost().toLowerCase(Locale.ROOT);
    }

    @Override
    public AwsCredentials resolveCredentials() {
        Current held = current;
        if (held != null && clock.millis() < held.refreshAtMillis()) {
            return held.credentials();
        }
        AwsCredentials resolved;
        try {
            resolved = aws.resolveCredentials();
        } catch (RuntimeException e) {
            // The chain failed (IMDS or the ECS agent briefly away): a session that is still good serves on.
            if (held != null && clock.millis() < held.usableUntilMillis()) {
                listener.loginFailed("the AWS credentials chain failed: " + e.getMessage(), true);
                return held.credentials();
            }
            throw e;
        }
        return AwsAccessKeys.isAwsIssued(resolved.accessKeyId()) ? session(resolved) : resolved;
    }

    /** Drops the session (the control API refused it, e.g. after a change of its encryption key): the next call logs in. */
    public synchronized void invalidate() {
        current = null;
    }

    private synchronized AwsCredentials session(AwsCredentials awsCredentials) {
        long now = clock.millis();
        Current held = current;
        if (held != null && now < held.refreshAtMillis()) {
            return held.credentials();
        }
        try {
            current = login(awsCredentials, now);
            listener.loggedIn(current.session());
            return current.credentials();
        } catch (IOException | RuntimeException e) {
            parameters = null;
            boolean keep = held != null && now < held.usableUntilMillis();
            String message = "logging in to the control API at " + controlApi + " with AWS access key "
                    + awsCredentials.accessKeyId() + " failed: " + e.getMessage();
            listener.loginFailed(message, keep);
            if (keep) {
                return held.credentials();
            }
            throw SdkClientException.create(message, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SdkClientException.create("interrupted while logging in to the control API", e);
        }
    }

    private Current login(AwsCredentials awsCredentials, long now) throws IOException, InterruptedException {
        if (parameters == null) {
            parameters = control.parameters();
        }
        AwsLogin.Session session = control.login(CallerIdentityRequest.sign(awsCredentials, parameters, serverId,
                Clock.fixed(Instant.ofEpochMilli(now), clock.getZone())));
        long lifetime = Math.max(0, session.expirationMillis() - now);
        return new Current(AwsSessionCredentials.create(session.accessKeyId(), session.secretAccessKey(), session.sessionToken()),
                session, now + lifetime * 2 / 3, session.expirationMillis() - Math.min(30_000, lifetime / 10));
    }

    public static final class Builder {
        private AwsCredentialsProvider aws;
        private URI controlApi;
        private String serverId;
        private Clock clock = Clock.systemUTC();
        private Listener listener = new Listener() {
        };

        private Builder() {
        }

        /** Where the AWS (or Meshwork) credentials come from; the standard chain unless set. */
        public Builder awsCredentials(AwsCredentialsProvider aws) {
            this.aws = aws;
            return this;
        }

        public Builder controlApi(URI controlApi) {
            this.controlApi = controlApi;
            return this;
        }

        /** The control API's name in logins; {@link #serverIdOf the URL's host} unless set. */
        public Builder serverId(String serverId) {
            this.serverId = serverId;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = listener;
            return this;
        }

        public ControlApiCredentialsProvider build() {
            return new ControlApiCredentialsProvider(this);
        }
    }
}
