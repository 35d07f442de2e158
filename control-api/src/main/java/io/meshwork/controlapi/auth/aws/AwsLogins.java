package io.meshwork.controlapi.auth.aws;

import io.meshwork.controlapi.auth.sigv4.SignatureException;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.config.StartupFailure;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.proxyapi.AwsLogin;
import io.micronaut.context.annotation.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * An AWS login, start to end: judge the signed GetCallerIdentity request ({@link LoginRequestCheck}),
 * have STS say who signed it ({@link StsCallerIdentity}, or the answer it gave for this very
 * request a moment ago), check that answer holds together, find the role's or user's mapping,
 * and hand out session credentials carrying it ({@link SessionTokens}). Nothing the caller
 * claims is believed: its identity is what STS answered to the control API's own call.
 */
@Context // built at start: a bad setting stops the process there, not at the first login
public final class AwsLogins {
    private static final Logger LOG = LoggerFactory.getLogger(AwsLogins.class);
    private static final Duration MIN_SESSION = Duration.ofSeconds(5);
    private static final Duration MAX_SESSION = Duration.ofHours(12);

    private final StsEndpoint sts;
    private final LoginRequestCheck check;
    private final StsCallerIdentity stsCalls = new StsCallerIdentity();
    private final VerifiedIdentities verified;
    private final AwsPrincipals principals;
    private final IamPolicyGrants iamGrants;
    private final SessionTokens tokens;
    private final Duration sessionDuration;
    private final Duration maxAge;

    public AwsLogins(StsEndpoint sts, AwsLoginSettings settings, ControlApiSettings controlApi, AwsPrincipals principals,
                     IamPolicyGrants iamGrants, SessionTokens tokens, Clock clock) {
        Duration duration = settings.sessionDuration();
        if (duration.compareTo(MIN_SESSION) < 0 || duration.compareTo(MAX_SESSION) > 0) {
            throw new StartupFailure("CONTROL_API_AWS_LOGIN_SESSION_DURATION must be between 5s and 12h, got " + duration);
        }
        Set<String> serverIds = new LinkedHashSet<>();
        if (settings.serverId() != null) {
            settings.serverId().stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                    .forEach(serverIds::add);
        }
        this.sts = sts;
        this.maxAge = controlApi.maxClockSkew();
        this.check = new LoginRequestCheck(sts, Collections.unmodifiableSet(serverIds), maxAge, clock);
        this.verified = new VerifiedIdentities(clock);
        this.principals = principals;
        this.iamGrants = iamGrants;
        this.tokens = tokens;
        this.sessionDuration = duration;
        if (serverIds.isEmpty()) {
            LOG.info("AWS logins are off (CONTROL_API_AWS_LOGIN_SERVER_ID is not set)");
        } else {
            LOG.info("AWS logins for server ids {}, checked with STS at {}", serverIds, sts.url());
        }
    }

    public AwsLogin.Parameters parameters() {
        return new AwsLogin.Parameters(sts.url().toString(), sts.region());
    }

    public AwsLogin.Session login(AwsLogin login) {
        LoginRequestCheck.Forwarded request = checked(login);
        String digest = request.digest();
        StsCallerIdentity.CallerIdentity identity = verified.find(digest).orElseGet(() -> {
            StsCallerIdentity.CallerIdentity answer = stsCalls.ask(request);
            verified.remember(digest, answer, request.signedAt().plus(maxAge).toEpochMilli());
            return answer;
        });
        AwsPrincipalArn principal = principal(identity);
        String grantedBy = principals.find(principal.key()).map(AwsPrincipals.Mapping::arn)
                .or(() -> iamGrants.policyFor(principal).map(p -> principal.arnWithoutPath() + " (its IAM policies)"))
                .orElseThrow(() -> {
                    LOG.info("AWS login refused: {} is not mapped{}", identity.arn(), iamGrants.enabled()
                            ? " and its IAM policies allow no appmesh: or meshwork: action" : "");
                    return AppMeshException.forbidden("AWS principal " + identity.arn() + " (" + principal.arnWithoutPath()
                            + ") is not mapped to a Meshwork policy: an administrator maps it with PUT /meshwork/v1/aws-principals"
                            + (iamGrants.enabled() ? ", or gives the role an IAM policy allowing appmesh: actions (as App Mesh needed)" : ""));
                });
        AwsLogin.Session session = tokens.issue(identity.arn(), principal.key(), grantedBy, sessionDuration);
        LOG.info("AWS login: {} (AWS key {}) as {}, session {} for {}", identity.arn(), request.accessKeyId(), grantedBy,
                session.accessKeyId(), sessionDuration);
        return session;
    }

    private LoginRequestCheck.Forwarded checked(AwsLogin login) {
        try {
            return check.check(login);
        } catch (SignatureException e) {
            throw AppMeshException.forbidden(e.getMessage());
        }
    }

    /** The role or user STS named, if STS's answer holds together. */
    private static AwsPrincipalArn principal(StsCallerIdentity.CallerIdentity identity) {
        AwsPrincipalArn principal;
        try {
            principal = AwsPrincipalArn.parseCaller(identity.arn());
        } catch (IllegalArgumentException e) {
            throw AppMeshException.forbidden(e.getMessage());
        }
        if (!principal.account().equals(identity.account())) {
            throw AppMeshException.forbidden("STS's answer does not hold together: " + identity.arn()
                    + " is not in account " + identity.account());
        }
        String session = AwsPrincipalArn.sessionName(identity.arn());
        if (session != null && !identity.userId().endsWith(":" + session)) {
            throw AppMeshException.forbidden("STS's answer does not hold together: user id " + identity.userId()
                    + " is not that of session " + identity.arn());
        }
        return principal;
    }
}
