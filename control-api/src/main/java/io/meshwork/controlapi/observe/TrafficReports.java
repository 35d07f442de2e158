package io.meshwork.controlapi.observe;

import io.meshwork.proxyapi.TrafficReport;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks a proxy's traffic report, and turns a proxy's last two into per-edge deltas. */
public final class TrafficReports {
    /** More edges than any real proxy has (directions × services × routes × targets). */
    static final int MAX_EDGES = 2000;
    private static final int MAX_NAME = 1100;

    /** The key of an edge: what it counts is kept apart by all of these. */
    record EdgeKey(String direction, String destination, String route, String target, String protocol) {
        static EdgeKey of(TrafficReport.Edge e) {
            return new EdgeKey(e.direction(), e.destination(), e.route(), e.target(), e.protocol());
        }
    }

    /** One edge's delta over a proxy's window. */
    record EdgeDelta(EdgeKey key, GoldenSignals.Delta delta, double seconds) {
    }

    private TrafficReports() {
    }

    /** Null when the report can be used; otherwise what is wrong with it. */
    public static String problem(TrafficReport report) {
        if (report.startedAtMillis() <= 0) {
            return "'traffic.startedAtMillis' must be a positive epoch-millisecond time";
        }
        List<TrafficReport.Edge> edges = report.edges() == null ? List.of() : report.edges();
        if (edges.size() > MAX_EDGES) {
            return "'traffic.edges' holds " + edges.size() + " edges, at most " + MAX_EDGES + " are taken";
        }
        for (TrafficReport.Edge e : edges) {
            if (e == null || !("inbound".equals(e.direction()) || "outbound".equals(e.direction()))) {
                return "each traffic edge needs 'direction' inbound or outbound";
            }
            // A null destination is an outbound request that named no virtual service the proxy knows (answered 404).
            if (tooLong(e.destination()) || tooLong(e.route()) || tooLong(e.target()) || tooLong(e.protocol())) {
                return "traffic edge names are at most " + MAX_NAME + " characters";
            }
            if (e.responsesByClass() != null && e.responsesByClass().length != 5) {
                return "'responsesByClass' has 5 counts (1xx to 5xx), got " + e.responsesByClass().length;
            }
            int buckets = TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1;
            if (e.latencyBuckets() != null && e.latencyBuckets().length != buckets) {
                return "'latencyBuckets' has " + buckets + " counts, got " + e.latencyBuckets().length;
            }
            if (e.requests() < 0 || e.connections() < 0 || e.bytesReceived() < 0 || e.bytesSent() < 0 || e.retries() < 0
                    || e.ejections() < 0 || negative(e.responsesByClass()) || negative(e.latencyBuckets())) {
                return "traffic counters cannot be negative";
            }
        }
        return null;
    }

    /**
     * What each edge did between {@code previous} (at {@code previousAt}) and {@code latest} (at
     * {@code latestAt}). Without a previous report, or when the proxy's counters started again
     * since, the latest counts over the time since they started.
     */
    static List<EdgeDelta> deltas(TrafficReport previous, long previousAt, TrafficReport latest, long latestAt) {
        boolean restarted = previous == null || previous.startedAtMillis() != latest.startedAtMillis();
        long from = restarted ? latest.startedAtMillis() : previousAt;
        double seconds = Math.max(1.0, (latestAt - from) / 1000.0);
        Map<EdgeKey, TrafficReport.Edge> before = new HashMap<>();
        if (!restarted && previous.edges() != null) {
            previous.edges().forEach(e -> before.put(EdgeKey.of(e), e));
        }
        List<TrafficReport.Edge> edges = latest.edges() == null ? List.of() : latest.edges();
        return edges.stream().map(e -> {
            EdgeKey key = EdgeKey.of(e);
            GoldenSignals.Delta d = GoldenSignals.Delta.between(before.get(key), e);
            if (d.isNegative()) {
                d = GoldenSignals.Delta.between(null, e);
            }
            return new EdgeDelta(key, d, seconds);
        }).toList();
    }

    private static boolean tooLong(String s) {
        return s != null && s.length() > MAX_NAME;
    }

    private static boolean negative(long[] counts) {
        if (counts != null) {
            for (long c : counts) {
                if (c < 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
