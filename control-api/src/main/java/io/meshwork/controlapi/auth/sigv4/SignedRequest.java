package io.meshwork.controlapi.auth.sigv4;

import java.util.List;
import java.util.Map;

/**
 * An incoming request as SigV4 sees it: method, path and query exactly as sent (still
 * percent-encoded), headers by lower-case name, and the body bytes.
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
                            byte[] body) {
    public String header(String lowerCaseName) {
        List<String> values = headers.get(lowerCaseName);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
