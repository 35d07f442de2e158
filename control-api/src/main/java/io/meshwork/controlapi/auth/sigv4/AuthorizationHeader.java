package io.meshwork.controlapi.auth.sigv4;

import java.util.List;

/**
 * The parts of {@code Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=a;b, Signature=hex}.
 */
public record AuthorizationHeader(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                           String signature) {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";

    public static AuthorizationHeader parse(String header) {
        if (header == null || header.isBlank()) {
            throw new SignatureException("Request is missing an AWS Signature Version 4 Authorization header");
        }
        if (!header.startsWith(ALGORITHM + " ")) {
            throw new SignatureException("Only " + ALGORITHM + " signatures are accepted");
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : header.substring(ALGORITHM.length() + 1).split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = p.substring(eq + 1).trim();
            switch (p.substring(0, eq).trim()) {
                case "Credential" -> credential = value;
                case "SignedHeaders" -> signedHeaders = value;
                case "Signature" -> signature = value;
                default -> {
                }
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw new SignatureException("The Authorization header needs Credential, SignedHeaders and Signature");
        }
        String[] scope = credential.split("/");
        if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
            throw new SignatureException("Malformed credential scope '" + credential
                    + "': expected ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request");
        }
        List<String> headers = List.of(signedHeaders.split(";"));
        if (!headers.contains("host")) {
            throw new SignatureException("The host header must be signed");
        }
        return new AuthorizationHeader(scope[0], scope[1], scope[2], scope[3], headers, signature);
    }
}
