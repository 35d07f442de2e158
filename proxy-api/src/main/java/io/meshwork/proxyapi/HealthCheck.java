package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An active health check, as App Mesh's HealthCheckPolicy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthCheck(Protocol protocol, Integer port, String path, long intervalMillis, long timeoutMillis,
                          int healthyThreshold, int unhealthyThreshold) {
}
