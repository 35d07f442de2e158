package io.meshwork.controlapi.auth.sigv4;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The verifier against AWS's published SigV4 test vector "get-vanilla" (so it is checked
 * against a signature no code of ours produced), and each way a request can fail.
 */
class SigV4VerifierTest {
    private static final String KEY = "AKIDEXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    private static final Instant SIGNED_AT = Instant.parse("2015-08-30T12:36:00Z");

    private final SigV4Verifier verifier = verifierAt(SIGNED_AT.plusSeconds(60));

    @Test
    void acceptsTheGetVanillaVector() {
        assertEquals(KEY, verifier.verify(vanilla(authorization(SIGNATURE)), this::secret));
    }

    @Test
    void refusesAnAlteredSignature() {
        String altered = SIGNATURE.substring(0, 63) + "0";
        assertRefused(vanilla(authorization(altered)), "does not match");
    }

    @Test
    void refusesAWrongSecret() {
        SignatureException e = assertThrows(SignatureException.class,
                () -> verifier.verify(vanilla(authorization(SIGNATURE)), id -> Optional.of("other")));
        assertTrue(e.getMessage().contains("does not match"));
    }

    @Test
    void refusesAnUnknownKey() {
        SignatureException e = assertThrows(SignatureException.class,
                () -> verifier.verify(vanilla(authorization(SIGNATURE)), id -> Optional.empty()));
        assertTrue(e.getMessage().contains("unknown access key AKIDEXAMPLE"));
    }

    @Test
    void refusesASignatureOutsideTheClockWindow() {
        SignatureException e = assertThrows(SignatureException.class, () -> verifierAt(SIGNED_AT.plus(Duration.ofMinutes(16)))
                .verify(vanilla(authorization(SIGNATURE)), this::secret));
        assertTrue(e.getMessage().startsWith("Signature expired"));
        assertEquals(KEY, verifierAt(SIGNED_AT.minus(Duration.ofMinutes(14))).verify(vanilla(authorization(SIGNATURE)), this::secret));
    }

    @Test
    void refusesMissingOrMalformedAuthorization() {
        assertRefused(vanilla(null), "missing");
        assertRefused(vanilla("AWS3 Credential=x"), "Only AWS4-HMAC-SHA256");
        assertRefused(vanilla("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, SignedHeaders=host;x-amz-date, "
                + "Signature=" + SIGNATURE), "Malformed credential scope");
        assertRefused(vanilla("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=x-amz-date, Signature=" + SIGNATURE), "host header must be signed");
    }

    @Test
    void refusesAScopeForAnotherServiceRegionOrDay() {
        assertRefused(vanilla(authorization(SIGNATURE).replace("/service/", "/s3/")), "service 'service'");
        assertRefused(vanilla(authorization(SIGNATURE).replace("/us-east-1/", "/eu-west-1/")), "region 'us-east-1'");
        assertRefused(vanilla(authorization(SIGNATURE).replace("/20150830/", "/20150829/")), "does not match X-Amz-Date");
    }

    @Test
    void refusesARequestWithoutASignedHeader() {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("host", List.of("example.amazonaws.com"));
        headers.put("authorization", List.of(authorization(SIGNATURE)));
        assertRefused(new SignedRequest("GET", "/", "", headers, new byte[0]), "X-Amz-Date");
    }

    @Test
    void aChangedMethodPathQueryOrBodyBreaksTheSignature() {
        assertRefused(withRequest("POST", "/", "", new byte[0]), "does not match");
        assertRefused(withRequest("GET", "/other", "", new byte[0]), "does not match");
        assertRefused(withRequest("GET", "/", "a=b", new byte[0]), "does not match");
        assertRefused(withRequest("GET", "/", "", new byte[] {1}), "does not match");
    }

    private void assertRefused(SignedRequest request, String messagePart) {
        SignatureException e = assertThrows(SignatureException.class, () -> verifier.verify(request, this::secret));
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    private Optional<String> secret(String id) {
        return KEY.equals(id) ? Optional.of(SECRET) : Optional.empty();
    }

    private static SigV4Verifier verifierAt(Instant now) {
        return new SigV4Verifier("service", "us-east-1", Duration.ofMinutes(15), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String authorization(String signature) {
        return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=" + signature;
    }

    private static SignedRequest vanilla(String authorization) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("host", List.of("example.amazonaws.com"));
        headers.put("x-amz-date", List.of("20150830T123600Z"));
        if (authorization != null) {
            headers.put("authorization", List.of(authorization));
        }
        return new SignedRequest("GET", "/", "", headers, new byte[0]);
    }

    private static SignedRequest withRequest(String method, String path, String query, byte[] body) {
        SignedRequest base = vanilla(authorization(SIGNATURE));
        return new SignedRequest(method, path, query, base.headers(), body);
    }
}
