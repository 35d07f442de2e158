package io.meshwork.controlapi.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.proxyapi.TrafficReport;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Traffic over a window, summed over edges and proxies: rates add up, status classes and latency
 * buckets are merged counts (so percentiles are of all requests together, not averages of
 * percentiles). Mutable while a view is being built.
 */
final class GoldenSignals {
    private static final int BUCKETS = TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1;

    private double requestsPerSecond;
    private double bytesPerSecond;
    private double connectionsPerSecond;
    private double retriesPerSecond;
    private long requests;
    private long connections;
    private long ejections;
    private final long[] classes = new long[5];
    private final long[] buckets = new long[BUCKETS];

    /** Adds one edge's counts over {@code seconds}. */
    void add(Delta d, double seconds) {
        requests += d.requests;
        connections += d.connections;
        ejections += d.ejections;
        requestsPerSecond += d.requests / seconds;
        bytesPerSecond += (d.bytesReceived + d.bytesSent) / seconds;
        connectionsPerSecond += d.connections / seconds;
        retriesPerSecond += d.retries / seconds;
        for (int i = 0; i < classes.length; i++) {
            classes[i] += d.classes[i];
        }
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] += d.buckets[i];
        }
    }

    void add(GoldenSignals other) {
        requests += other.requests;
        connections += other.connections;
        ejections += other.ejections;
        requestsPerSecond += other.requestsPerSecond;
        bytesPerSecond += other.bytesPerSecond;
        connectionsPerSecond += other.connectionsPerSecond;
        retriesPerSecond += other.retriesPerSecond;
        for (int i = 0; i < classes.length; i++) {
            classes[i] += other.classes[i];
        }
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] += other.buckets[i];
        }
    }

    /** Responses that were not 5xx among all responses; null when there were none. */
    Double successRate() {
        long all = 0;
        for (long c : classes) {
            all += c;
        }
        return all == 0 ? null : (all - classes[4]) / (double) all;
    }

    /**
     * The {@code q} quantile of the merged latency buckets, interpolated linearly inside its
     * bucket (as Prometheus' histogram_quantile does); the last bound when it falls in the
     * overflow bucket; null with nothing counted.
     */
    Double quantileMillis(double q) {
        long total = 0;
        for (long b : buckets) {
            total += b;
        }
        if (total == 0) {
            return null;
        }
        double rank = q * total;
        double[] bounds = TrafficReport.LATENCY_BOUNDS_MILLIS;
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] > 0 && seen + buckets[i] >= rank) {
                if (i == bounds.length) {
                    return bounds[bounds.length - 1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - seen) / buckets[i]);
            }
            seen += buckets[i];
        }
        return bounds[bounds.length - 1];
    }

    boolean isEmpty() {
        return requests == 0 && connections == 0 && bytesPerSecond == 0;
    }

    void writeTo(ObjectNode out) {
        out.put("requestsPerSecond", round(requestsPerSecond, 3));
        Double success = successRate();
        if (success != null) {
            out.put("successRate", round(success, 4));
        } else {
            out.putNull("successRate");
        }
        putMillis(out, "p50Millis", quantileMillis(0.50));
        putMillis(out, "p99Millis", quantileMillis(0.99));
        out.put("requests", requests);
        out.put("responses5xx", classes[4]);
        out.put("bytesPerSecond", round(bytesPerSecond, 1));
        out.put("connectionsPerSecond", round(connectionsPerSecond, 3));
        out.put("connections", connections);
        out.put("retriesPerSecond", round(retriesPerSecond, 3));
        out.put("ejections", ejections);
    }

    private static void putMillis(ObjectNode out, String name, Double value) {
        if (value == null) {
            out.putNull(name);
        } else {
            out.put(name, round(value, 3));
        }
    }

    static BigDecimal round(double value, int places) {
        return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    /** What one edge of one proxy did between two reports. */
    static final class Delta {
        long requests;
        long connections;
        long bytesReceived;
        long bytesSent;
        long retries;
        long ejections;
        final long[] classes = new long[5];
        final long[] buckets = new long[BUCKETS];

        /** {@code latest} minus {@code previous} (null: since the counters started). */
        static Delta between(TrafficReport.Edge previous, TrafficReport.Edge latest) {
            Delta d = new Delta();
            d.requests = latest.requests() - (previous == null ? 0 : previous.requests());
            d.connections = latest.connections() - (previous == null ? 0 : previous.connections());
            d.bytesReceived = latest.bytesReceived() - (previous == null ? 0 : previous.bytesReceived());
            d.bytesSent = latest.bytesSent() - (previous == null ? 0 : previous.bytesSent());
            d.retries = latest.retries() - (previous == null ? 0 : previous.retries());
            d.ejections = latest.ejections() - (previous == null ? 0 : previous.ejections());
            subtract(d.classes, latest.responsesByClass(), previous == null ? null : previous.responsesByClass());
            subtract(d.buckets, latest.latencyBuckets(), previous == null ? null : previous.latencyBuckets());
            return d;
        }

        /** A counter that went down means the edge's counters began again: then the latest values are the delta. */
        boolean isNegative() {
            if (requests < 0 || connections < 0 || bytesReceived < 0 || bytesSent < 0 || retries < 0 || ejections < 0) {
                return true;
            }
            for (long c : classes) {
                if (c < 0) {
                    return true;
                }
            }
            for (long b : buckets) {
                if (b < 0) {
                    return true;
                }
            }
            return false;
        }

        private static void subtract(long[] into, long[] latest, long[] previous) {
            for (int i = 0; i < into.length; i++) {
                long l = latest != null && i < latest.length ? latest[i] : 0;
                long p = previous != null && i < previous.length ? previous[i] : 0;
                into[i] = l - p;
            }
        }
    }
}
