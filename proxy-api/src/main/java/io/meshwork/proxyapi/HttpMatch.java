package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** What an HTTP request must look like for a route to take it; null members match anything. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HttpMatch(String prefix, String pathExact, String pathRegex, String method, String scheme, Integer port,
                        List<HeaderMatch> headers, List<QueryMatch> queryParameters, String hostnameExact,
                        String hostnameSuffix) {
}
