package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A port the proxy serves: a virtual node's listener (traffic for the local app) or a
 * virtual gateway's listener.
 *
 * @param port             the listener port
 * @param protocol         {@code http}, {@code http2}, {@code grpc} or {@code tcp}
 * @param timeout          per-request and idle timeouts enforced by the receiving proxy
 * @param connectionPool   limits on what the receiving proxy sends to the app
 * @param healthCheck      active health check that callers run against this listener's endpoints
 * @param outlierDetection ejection policy that callers apply to this listener's endpoints
 * @param tls              TLS on this port (null: plaintext); callers without a client policy originate TLS when it is set
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Listener(int port, Protocol protocol, Timeouts timeout, ConnectionPool connectionPool,
                       HealthCheck healthCheck, OutlierDetection outlierDetection, Tls.Server tls) {
}
