package io.meshwork.controlapi.auth.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.auth.keys.KeyMaterial;
import io.meshwork.controlapi.auth.keys.SecretCipher;
import io.meshwork.controlapi.auth.sigv4.SignatureException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.proxyapi.AwsLogin;
import jakarta.inject.Singleton;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;

/**
 * Session credentials for AWS logins, kept nowhere but in the session token itself, as STS's
 * own session tokens are: the token is the session's facts (key id, secret, who logged in, the
 * mapping, expiry) sealed with AES-256-GCM under the control API's encryption key, so every
 * replica sharing that key can open it and no one else can read or forge one. A request signed
 * with the session's secret and carrying the token verifies like any SigV4 request.
 *
 * <p>Nothing is stored per login, so there is nothing to clean up; a session ends at its
 * expiry, when its principal's mapping is deleted, or when the encryption key changes.
 */
@Singleton
public final class SessionTokens {
    /** Authenticated with every token: nothing sealed for another purpose opens as a session. */
    private static final String CONTEXT = "meshwork-aws-session-v1";

    /** An open session token: who it belongs to and until when. */
    public record Claims(String accessKeyId, String secretAccessKey, String principalArn, String principalKey,
                         long issuedAtMillis, long expiresAtMillis) {
        @Override
        public String toString() {
            return "Claims[" + accessKeyId + ", " + principalArn + "]";
        }
    }

    private final SecretCipher cipher;
    private final Clock clock;

    public SessionTokens(SecretCipher cipher, Clock clock) {
        this.cipher = cipher;
        this.clock = clock;
    }

    AwsLogin.Session issue(String principalArn, String principalKey, String mappedArn, Duration lifetime) {
        long now = clock.millis();
        long expires = now + lifetime.toMillis();
        String keyId = KeyMaterial.newId(AccessKey.SESSION_PREFIX);
        String secret = KeyMaterial.newSecret();
        ObjectNode claims = StrictJson.mapper().createObjectNode()
                .put("k", keyId).put("s", secret).put("p", principalArn).put("m", principalKey).put("i", now).put("e", expires);
        return AwsLogin.Session.of(keyId, secret, cipher.encrypt(StrictJson.write(claims), CONTEXT), expires, principalArn,
                mappedArn);
    }

    /** The claims of a token this control API (or a replica with its key) issued and that has not expired. */
    public Claims open(String token) {
        JsonNode json;
        try {
            json = StrictJson.read(cipher.decrypt(token.trim(), CONTEXT));
        } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
            throw new SignatureException("The security token included in the request is invalid: it is not a session"
                    + " token of this control API (log in again: POST " + AwsLogin.PATH + ")");
        }
        Claims claims = new Claims(json.path("k").asText(), json.path("s").asText(), json.path("p").asText(),
                json.path("m").asText(), json.path("i").asLong(), json.path("e").asLong());
        if (clock.millis() >= claims.expiresAtMillis()) {
            throw new SignatureException("The security token included in the request is expired: the session of "
                    + claims.principalArn() + " ended; log in again (POST " + AwsLogin.PATH + ")");
        }
        return claims;
    }
}
