package io.meshwork.controlapi.auth.sigv4;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Verifies AWS Signature Version 4. Rather than re-implementing the canonicalization, it
 * rebuilds the request as the client signed it (only the signed headers, the path as sent)
 * and has the AWS SDK's own signer sign it with the stored secret at the request's own time;
 * the signatures must then be equal (compared in constant time).
 *
 * <p>It uses the SDK's {@link Aws4Signer}, not the newer {@code AwsV4HttpSigner}: the newer one
 * always adds and signs {@code x-amz-content-sha256}, so it cannot reproduce the signature of a
 * client that does not send that header (botocore and the AWS CLI, the Go SDK behind Terraform,
 * curl). Aws4Signer signs exactly the headers it is given.
 */
public final class SigV4Verifier {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

    private final String service;
    private final String region;
    private final Duration maxSkew;
    private final Clock clock;
    private final Aws4Signer signer = Aws4Signer.create();

    public SigV4Verifier(String service, String region, Duration maxSkew, Clock clock) {
        this.service = service;
        this.region = region;
        this.maxSkew = maxSkew;
        this.clock = clock;
    }

    /**
     * Returns the access key id of a correctly signed request, whose secret {@code secrets}
     * looks up; throws SignatureException with the reason otherwise.
     */
    public String verify(SignedRequest request, Function<String, Optional<String>> secrets) {
        AuthorizationHeader auth = AuthorizationHeader.parse(request.header("authorization"));
        Instant signedAt = signingTime(request);
        checkScope(auth, signedAt);
        String secret = secrets.apply(auth.accessKeyId()).orElseThrow(() ->
                new SignatureException("The security token included in the request is invalid: unknown access key "
                        + auth.accessKeyId()));
        byte[] given = auth.signature().getBytes(StandardCharsets.US_ASCII);
        // Clients disagree on whether the path is URI-encoded once more in the canonical request
        // (AWS SDKs do, curl does not); either is accepted.
        for (boolean doubleEncode : new boolean[] {true, false}) {
            String expected = expectedSignature(request, auth, signedAt, secret, doubleEncode);
            if (MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.US_ASCII))) {
                return auth.accessKeyId();
            }
        }
        throw new SignatureException("The request signature we calculated does not match the signature you provided."
                + " Check your secret access key and signing method.");
    }

    private Instant signingTime(SignedRequest request) {
        String date = request.header("x-amz-date");
        if (date == null) {
            throw new SignatureException("Request is missing the X-Amz-Date header");
        }
        Instant at;
        try {
            at = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new SignatureException("X-Amz-Date '" + date + "' is not in the form 20260101T120000Z");
        }
        Instant now = clock.instant();
        if (Duration.between(at, now).abs().compareTo(maxSkew) > 0) {
            throw new SignatureException("Signature expired: " + date + " is more than " + maxSkew.toMinutes()
                    + " minutes away from the server time " + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)));
        }
        return at;
    }

    private void checkScope(AuthorizationHeader auth, Instant signedAt) {
        if (!auth.date().equals(AMZ_DATE.format(signedAt.atOffset(ZoneOffset.UTC)).substring(0, 8))) {
            throw new SignatureException("The credential scope date " + auth.date() + " does not match X-Amz-Date");
        }
        if (!service.equals(auth.service())) {
            throw new SignatureException("Credential should be scoped to the service '" + service + "', not '"
                    + auth.service() + "'");
        }
        if (!region.equals(auth.region())) {
            throw new SignatureException("Credential should be scoped to region '" + region + "' (the control API's"
                    + " CONTROL_API_REGION), not '" + auth.region() + "'");
        }
    }

    private String expectedSignature(SignedRequest request, AuthorizationHeader auth, Instant signedAt, String secret,
                                     boolean doubleEncode) {
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(request.method()))
                .encodedPath(request.rawPath().isEmpty() ? "/" : request.rawPath());
        hostAndPort(builder, request.header("host"));
        decodedQuery(request.rawQuery()).forEach(builder::putRawQueryParameter);
        for (String name : auth.signedHeaders()) {
            List<String> values = request.headers().get(name);
            if (values == null) {
                throw new SignatureException("The signed header '" + name + "' is missing from the request");
            }
            builder.putHeader(name, values);
        }
        builder.contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(
                request.body() == null ? new byte[0] : request.body()));
        Aws4SignerParams params = Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create(auth.accessKeyId(), secret))
                .signingName(service)
                .signingRegion(Region.of(auth.region()))
                .doubleUrlEncode(doubleEncode)
                .signingClockOverride(Clock.fixed(signedAt, ZoneOffset.UTC))
                .build();
        String authorization = signer.sign(builder.build(), params).firstMatchingHeader("Authorization").orElse("");
        int at = authorization.lastIndexOf("Signature=");
        return at < 0 ? "" : authorization.substring(at + "Signature=".length());
    }

    /**
     * The signer derives the Host header from protocol, host and port, leaving the port out
     * when it is the protocol's default. Pick the protocol so that it writes back exactly the
     * Host the client sent.
     */
    private static void hostAndPort(SdkHttpFullRequest.Builder builder, String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            throw new SignatureException("Request is missing the Host header");
        }
        String host = hostHeader;
        Integer port = null;
        int colon = hostHeader.lastIndexOf(':');
        if (colon > hostHeader.lastIndexOf(']')) {
            host = hostHeader.substring(0, colon);
            try {
                port = Integer.parseInt(hostHeader.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new SignatureException("Malformed Host header '" + hostHeader + "'");
            }
        }
        if (port == null) {
            builder.protocol("http").host(host).port(80);
        } else {
            builder.protocol(port == 80 ? "https" : "http").host(host).port(port);
        }
    }

    private static Map<String, List<String>> decodedQuery(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    /** Percent-decoding only: a literal '+' stays a '+', as SigV4 canonicalization expects. */
    private static String percentDecode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SignatureException("Malformed percent-encoding in the query string");
        }
    }
}
