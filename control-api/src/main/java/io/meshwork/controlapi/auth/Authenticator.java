package io.meshwork.controlapi.auth;

import io.meshwork.controlapi.auth.aws.AwsPrincipalArn;
import io.meshwork.controlapi.auth.aws.AwsPrincipals;
import io.meshwork.controlapi.auth.aws.IamPolicyGrants;
import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.auth.aws.SessionTokens;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.auth.keys.AccessKeys;
import io.meshwork.controlapi.auth.sigv4.AuthorizationHeader;
import io.meshwork.controlapi.auth.sigv4.SigV4Verifier;
import io.meshwork.controlapi.auth.sigv4.SignatureException;
import io.meshwork.controlapi.auth.sigv4.SignedRequest;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.proxyapi.AwsLogin;
import io.meshwork.proxyapi.login.AwsAccessKeys;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a signed HTTP request into the access key that signed it, or a ForbiddenException: a
 * stored Meshwork key, or a session from an AWS login, whose secret and facts its session
 * token carries ({@link SessionTokens}) and whose policy is its principal's mapping as it is now.
 */
@Singleton
public final class Authenticator {
    public static final String SIGNING_NAME = "appmesh";

    private final SigV4Verifier verifier;
    private final AccessKeys keys;
    private final SessionTokens sessions;
    private final AwsPrincipals principals;
    private final IamPolicyGrants iamGrants;

    public Authenticator(ControlApiSettings settings, AccessKeys keys, SessionTokens sessions, AwsPrincipals principals,
                         IamPolicyGrants iamGrants, Clock clock) {
        this.verifier = new SigV4Verifier(SIGNING_NAME, settings.region(), settings.maxClockSkew(), clock);
        this.keys = keys;
        this.sessions = sessions;
        this.principals = principals;
        this.iamGrants = iamGrants;
    }

    public AccessKey authenticate(HttpRequest<?> request, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getHeaders().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        SignedRequest signed = new SignedRequest(request.getMethodName(), request.getUri().getRawPath(),
                request.getUri().getRawQuery(), headers, body);
        try {
            AuthorizationHeader auth = AuthorizationHeader.parse(signed.header("authorization"));
            if (auth.accessKeyId().startsWith(AccessKey.SESSION_PREFIX)) {
                return session(signed, auth);
            }
            String keyId = verifier.verify(signed, id -> keys.find(id).map(AccessKey::secretAccessKey));
            return keys.find(keyId).orElseThrow(() -> new SignatureException("access key " + keyId + " was revoked"));
        } catch (SignatureException e) {
            throw AppMeshException.forbidden(hint(signed, e.getMessage()));
        }
    }

    private AccessKey session(SignedRequest signed, AuthorizationHeader auth) {
        String token = signed.header("x-amz-security-token");
        if (token == null || !auth.signedHeaders().contains("x-amz-security-token")) {
            throw new SignatureException("A session key signs with its session token in the signed header X-Amz-Security-Token");
        }
        SessionTokens.Claims claims = sessions.open(token);
        verifier.verify(signed, id -> id.equals(claims.accessKeyId()) ? Optional.of(claims.secretAccessKey()) : Optional.empty());
        return sessionKey(claims);
    }

    /**
     * The key a dashboard session acts as, as it is now: a stored key unless revoked since, or an
     * AWS login's session while it lasts and its principal is still mapped ({@code sessionToken}
     * is then the session token it signed with). ForbiddenException otherwise.
     */
    public AccessKey reauthenticate(String accessKeyId, String sessionToken) {
        try {
            if (sessionToken != null) {
                SessionTokens.Claims claims = sessions.open(sessionToken);
                if (!claims.accessKeyId().equals(accessKeyId)) {
                    throw new SignatureException("the session token is not that of " + accessKeyId);
                }
                return sessionKey(claims);
            }
            return keys.find(accessKeyId).orElseThrow(() -> new SignatureException("access key " + accessKeyId + " was revoked"));
        } catch (SignatureException e) {
            throw AppMeshException.forbidden(e.getMessage());
        }
    }

    private AccessKey sessionKey(SessionTokens.Claims claims) {
        Optional<AwsPrincipals.Mapping> mapping = principals.find(claims.principalKey());
        PolicyDocument policy;
        if (mapping.isPresent()) {
            // A mapping deleted and made again does not bring back the sessions the delete ended.
            if (claims.issuedAtMillis() < mapping.get().createdAtMillis()) {
                throw new SignatureException("This session of " + claims.principalArn()
                        + " was issued before its role's current mapping was made: log in again");
            }
            policy = mapping.get().policy();
        } else {
            // Granted by its IAM policies (when those count), as they read now.
            policy = iamGrants.policyFor(AwsPrincipalArn.parseCaller(claims.principalArn())).orElseThrow(() -> new SignatureException(
                    "AWS principal " + claims.principalArn() + " is no longer mapped to a Meshwork policy"
                            + (iamGrants.enabled() ? " nor allowed appmesh: actions by its IAM policies" : "") + ": its sessions ended"));
        }
        return AccessKey.session(claims.accessKeyId(), claims.principalArn(), claims.secretAccessKey(), policy,
                claims.issuedAtMillis());
    }

    /** An AWS key signed the request directly: say what to do instead. */
    private static String hint(SignedRequest signed, String message) {
        String authorization = signed.header("authorization");
        String keyId = authorization == null ? null : authorization.replaceFirst("^.*Credential=([^/,\\s]*).*$", "$1");
        if (AwsAccessKeys.isAwsIssued(keyId)) {
            return message + ". " + keyId + " is an AWS access key, whose secret the control API cannot know: exchange the"
                    + " AWS identity for Meshwork session credentials first (POST " + AwsLogin.PATH + ", as Meshwork's"
                    + " proxies and ControlApiCredentialsProvider do)";
        }
        return message;
    }
}
