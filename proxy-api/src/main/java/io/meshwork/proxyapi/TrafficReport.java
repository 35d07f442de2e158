package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A proxy's golden signals, carried in its heartbeat ({@link ProxyReport#traffic()}) so the control
 * plane can show live traffic across the mesh without scraping every proxy. Every number is
 * cumulative since the proxy started ({@code startedAtMillis}); the control plane takes the
 * difference between two reports of one proxy for rates and percentiles, and a new
 * {@code startedAtMillis} means the counters began again.
 *
 * @param startedAtMillis when the counters started (epoch milliseconds)
 * @param edges           one per (direction, destination, route, target): what it served and sent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrafficReport(long startedAtMillis, List<Edge> edges) {
    /**
     * The upper bounds, in milliseconds, of {@link Edge#latencyBuckets()}; a last bucket counts
     * what took longer than the last bound. Fixed here so both sides agree without sending them.
     */
    public static final double[] LATENCY_BOUNDS_MILLIS = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

    /**
     * @param direction      {@code inbound} (to the proxy's own app, by listener) or {@code outbound} (to a backend)
     * @param destination    outbound: the virtual service called ({@code passthrough} for egress allowed by the
     *                       mesh's egress filter; null for requests that named no virtual service the proxy knows,
     *                       which it answered itself with 404); inbound: the listener's port, e.g. {@code 8080}
     * @param route          the route that matched (outbound: {@code router/route}), null when none did
     * @param target         outbound: the virtual node the requests went to; inbound: null
     * @param protocol       {@code http}, {@code http2}, {@code grpc} or {@code tcp}
     * @param requests       HTTP requests completed (0 for TCP)
     * @param responsesByClass responses by status class, index 0 for 1xx to 4 for 5xx (local replies included)
     * @param latencyBuckets request durations (or TCP connection lifetimes) per {@link #LATENCY_BOUNDS_MILLIS} bucket,
     *                       one more than the bounds
     * @param latencySumMicros the sum of those durations
     * @param connections    connections opened (TCP: the count; HTTP: upstream connections, outbound only)
     * @param bytesReceived  bytes read from the downstream side
     * @param bytesSent      bytes written to the downstream side
     * @param retries        retries attempted (outbound)
     * @param ejections      outlier-detection ejections of hosts of {@code target} (outbound)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Edge(String direction, String destination, String route, String target, String protocol, long requests,
                       long[] responsesByClass, long[] latencyBuckets, long latencySumMicros, long connections,
                       long bytesReceived, long bytesSent, long retries, long ejections) {
    }
}
