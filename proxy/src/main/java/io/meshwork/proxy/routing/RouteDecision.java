package io.meshwork.proxy.routing;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.resilience.ConnectionLimits;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.upstream.Upstream;

/** Where one request goes: forwarded to an endpoint, or answered by the proxy itself. */
public sealed interface RouteDecision {
    /** App Mesh's default per-request timeout when nothing sets one. */
    long DEFAULT_TIMEOUT_MILLIS = 15_000;

    /**
     * Forward to an instance of {@code upstream} speaking {@code protocol} ({@code http},
     * {@code http2}, {@code grpc}); each attempt picks its instance.
     *
     * @param route          the route taken, for stats and logs
     * @param timeoutMillis  the whole request's timeout, over all attempts; 0 for none
     * @param idleMillis     longest time without a byte either way; 0 for none
     * @param retry          when to try again
     * @param limits         the connection pool in front of the upstream (the local app), or null
     * @param path           the path to send upstream, null to keep the request's
     * @param authority      the Host to send upstream, null to keep the request's
     * @param tls            how to open TLS to the upstream, null for plaintext
     * @param meter          counts the request, its retries and the upstream connections it opens
     */
    record Forward(Upstream upstream, Protocol protocol, String route, long timeoutMillis, long idleMillis, RetryRules retry,
                   ConnectionLimits limits, String path, String authority, TlsContexts.Origination tls,
                   TrafficMeter meter) implements RouteDecision {
        /** Counted nowhere: for tests. */
        public Forward(Upstream upstream, Protocol protocol, String route, long timeoutMillis, long idleMillis, RetryRules retry,
                       ConnectionLimits limits, String path, String authority, TlsContexts.Origination tls) {
            this(upstream, protocol, route, timeoutMillis, idleMillis, retry, limits, path, authority, tls, TrafficMeter.NONE);
        }

        public boolean http2() {
            return protocol.http2();
        }

        public boolean grpc() {
            return protocol == Protocol.GRPC;
        }

        /** The upstream's name for stats and logs (a virtual node, {@code local_app}, {@code passthrough}). */
        public String cluster() {
            return upstream.name();
        }
    }

    /**
     * Answer locally with {@code status}; {@code flag} is Envoy's response flag users know from
     * access logs ({@code NR} no route, {@code UH} no healthy upstream, ...). {@code meter} counts
     * it where it was going as far as that is known (a route's target with no instance), or is
     * null for the listener's {@link RequestRouting#unrouted()}.
     */
    record Reject(int status, ResponseFlag flag, String message, TrafficMeter meter) implements RouteDecision {
        public Reject(int status, ResponseFlag flag, String message) {
            this(status, flag, message, null);
        }
    }
}
