package io.meshwork.proxy.routing;

import java.net.InetSocketAddress;

/** Where one request goes: forwarded to an endpoint, or answered by the proxy itself. */
public sealed interface RouteDecision {
    /** App Mesh's default per-request timeout when nothing sets one. */
    long DEFAULT_TIMEOUT_MILLIS = 15_000;

    /**
     * Forward to {@code endpoint} speaking {@code protocol} ({@code http}, {@code http2}, {@code grpc}).
     *
     * @param cluster        the upstream's name for stats and logs (a virtual node, or {@code local_app})
     * @param route          the route taken, for stats and logs
     * @param timeoutMillis  per-request timeout; 0 for none
     * @param path           the path to send upstream, null to keep the request's
     * @param authority      the Host to send upstream, null to keep the request's
     */
    record Forward(InetSocketAddress endpoint, String protocol, String cluster, String route, long timeoutMillis,
                   String path, String authority) implements RouteDecision {
        public boolean http2() {
            return "http2".equals(protocol) || "grpc".equals(protocol);
        }
    }

    /**
     * Answer locally with {@code status}; {@code flag} is Envoy's response flag users know from
     * access logs ({@code NR} no route, {@code UH} no healthy upstream, ...).
     */
    record Reject(int status, String flag, String message) implements RouteDecision {
    }
}
