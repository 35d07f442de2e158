package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Circuit-breaking limits of a listener; null means unlimited (App Mesh used 2147483647). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionPool(Integer maxConnections, Integer maxPendingRequests, Integer maxRequests) {
}
