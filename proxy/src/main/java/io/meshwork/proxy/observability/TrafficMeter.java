package io.meshwork.proxy.observability;

import io.meshwork.proxy.upstream.ConnectionStats;
import io.meshwork.proxyapi.TrafficReport;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one {@link TrafficEdge}: requests by status class, their durations in fixed
 * buckets, bytes, upstream connections, retries. Resolved once per route target, listener or
 * destination when a configuration is compiled, so the request path only adds to a few
 * {@link LongAdder}s: no lookup, no string, no allocation. The same counters feed
 * {@code /stats/prometheus} and the heartbeat's {@link TrafficReport}.
 */
public final class TrafficMeter implements ConnectionStats {
    /**
     * Upper bounds of the duration buckets, in seconds: those of {@link TrafficReport#LATENCY_BOUNDS_MILLIS}
     * plus 0.5 ms below them, as the proxy itself adds well under a millisecond.
     */
    static final double[] BOUNDS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];
    /** The status classes counted apart: 1xx to 5xx, then {@link #NO_RESPONSE}. */
    static final int CLASSES = 6;
    /** The index of requests that ended without a response (the caller went away first). */
    static final int NO_RESPONSE = 5;

    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    /** Counts into nothing anyone reads: for tests and callers that are not measured. */
    public static final TrafficMeter NONE = new TrafficMeter(TrafficEdge.unrouted("none"), Labels.EMPTY);

    private final TrafficEdge edge;
    /** The edge's labels in /stats/prometheus, the proxy's own (mesh, node) included: made once. */
    final Labels labels;
    private final LongAdder[] byClass = adders(CLASSES);
    /** One more than the bounds: the last counts what took longer than the last bound. */
    private final LongAdder[] buckets = adders(BOUNDS_SECONDS.length + 1);
    private final LongAdder sumMicros = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder opened = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> retries = new ConcurrentHashMap<>(4);
    private final LongAdder retriesTotal = new LongAdder();

    TrafficMeter(TrafficEdge edge, Labels labels) {
        this.edge = edge;
        this.labels = labels;
    }

    public TrafficEdge edge() {
        return edge;
    }

    /**
     * An HTTP request ended.
     *
     * @param status        the status sent to the caller; 0 (or anything outside 100–599) when none was
     * @param durationNanos from its first byte to the end of its response
     * @param received      body bytes read from the caller
     * @param sent          body bytes written to the caller
     */
    public void request(int status, long durationNanos, long received, long sent) {
        int cls = status / 100 - 1;
        byClass[cls >= 0 && cls < NO_RESPONSE ? cls : NO_RESPONSE].increment();
        duration(durationNanos);
        if (received > 0) {
            bytesReceived.add(received);
        }
        if (sent > 0) {
            bytesSent.add(sent);
        }
    }

    /** A failed attempt is tried again ({@code reason}: the status, {@code connect}, {@code reset}, ...). */
    public void retried(String reason) {
        retriesTotal.increment();
        LongAdder byReason = retries.get(reason);
        if (byReason == null) {
            byReason = retries.computeIfAbsent(reason, r -> new LongAdder());
        }
        byReason.increment();
    }

    /** Bytes read from the caller of a TCP connection. */
    public void received(long bytes) {
        bytesReceived.add(bytes);
    }

    /** Bytes written to the caller of a TCP connection. */
    public void sent(long bytes) {
        bytesSent.add(bytes);
    }

    /** A TCP connection relayed through this edge ended after {@code lifetimeNanos}. */
    public void tcpConnectionEnded(long lifetimeNanos) {
        duration(lifetimeNanos);
    }

    @Override
    public void opened() {
        opened.increment();
    }

    @Override
    public void closed() {
        closed.increment();
    }

    @Override
    public void failed() {
        failed.increment();
    }

    private void duration(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumMicros.add(nanos / 1000);
    }

    /** What the counters hold now. Each counter is read once; a request that ends meanwhile may be in some and not others. */
    Reading read() {
        long[] classes = sums(byClass);
        long[] durations = sums(buckets);
        Map<String, Long> byReason = new java.util.TreeMap<>();
        retries.forEach((reason, n) -> byReason.put(reason, n.sum()));
        return new Reading(classes, durations, sumMicros.sum(), bytesReceived.sum(), bytesSent.sum(), opened.sum(), closed.sum(),
                failed.sum(), retriesTotal.sum(), byReason);
    }

    /** A reading of the counters; {@code durations} per {@link #BOUNDS_SECONDS} bucket plus the overflow one, not cumulative. */
    record Reading(long[] classes, long[] durations, long sumMicros, long bytesReceived, long bytesSent, long opened, long closed,
                   long failed, long retries, Map<String, Long> retriesByReason) {
        long requests() {
            long n = 0;
            for (long c : classes) {
                n += c;
            }
            return n;
        }

        long count() {
            long n = 0;
            for (long c : durations) {
                n += c;
            }
            return n;
        }

        boolean idle() {
            return count() == 0 && opened == 0 && failed == 0 && bytesReceived == 0 && bytesSent == 0 && retries == 0;
        }
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] out = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            out[i] = new LongAdder();
        }
        return out;
    }

    private static long[] sums(LongAdder[] adders) {
        long[] out = new long[adders.length];
        for (int i = 0; i < adders.length; i++) {
            out[i] = adders[i].sum();
        }
        return out;
    }
}
