package io.meshwork.controlapi.auth.aws;

import io.meshwork.controlapi.auth.keys.SecretCipher;
import io.meshwork.controlapi.auth.sigv4.SignatureException;
import io.meshwork.proxyapi.AwsLogin;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** A session token opens only on a control API holding the key that sealed it, and only until it expires. */
class SessionTokensTest {
    private static final byte[] KEY = new byte[32];
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void aTokenOpensToTheSessionItWasIssuedFor() {
        SessionTokens tokens = new SessionTokens(new SecretCipher(KEY), Clock.fixed(NOW, ZoneOffset.UTC));
        AwsLogin.Session session = tokens.issue("arn:aws:sts::123456789012:assumed-role/r/s", "arn:aws:iam::123456789012:role/r",
                "arn:aws:iam::123456789012:role/path/r", Duration.ofHours(1));
        SessionTokens.Claims claims = tokens.open(session.sessionToken());
        assertEquals(session.accessKeyId(), claims.accessKeyId());
        assertEquals(session.secretAccessKey(), claims.secretAccessKey());
        assertEquals("arn:aws:iam::123456789012:role/r", claims.principalKey());
        assertEquals(NOW.plus(Duration.ofHours(1)).toEpochMilli(), session.expirationMillis());
        assertFalse(session.toString().contains(session.secretAccessKey()), "the secret stays out of logs");
        assertFalse(session.toString().contains(session.sessionToken()), "so does the token");
    }

    @Test
    void anExpiredTokenIsRefused() {
        AwsLogin.Session session = new SessionTokens(new SecretCipher(KEY), Clock.fixed(NOW, ZoneOffset.UTC))
                .issue("arn:aws:sts::123456789012:assumed-role/r/s", "k", "arn", Duration.ofMinutes(5));
        SessionTokens later = new SessionTokens(new SecretCipher(KEY), Clock.fixed(NOW.plus(Duration.ofMinutes(5)), ZoneOffset.UTC));
        SignatureException e = assertThrows(SignatureException.class, () -> later.open(session.sessionToken()));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void aTokenSealedWithAnotherKeyOrForAnotherPurposeIsRefused() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        String token = new SessionTokens(new SecretCipher(KEY), clock).issue("p", "k", "m", Duration.ofHours(1)).sessionToken();
        byte[] otherKey = Arrays.copyOf(KEY, 32);
        otherKey[0] = 1;
        assertThrows(SignatureException.class, () -> new SessionTokens(new SecretCipher(otherKey), clock).open(token));
        // A stored secret is sealed with the same key but without the session context: it is no token.
        String storedSecret = new SecretCipher(KEY).encrypt("{\"k\":\"MWSX\",\"s\":\"x\",\"e\":99999999999999}");
        assertThrows(SignatureException.class, () -> new SessionTokens(new SecretCipher(KEY), clock).open(storedSecret));
    }
}
