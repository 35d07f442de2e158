package io.meshwork.proxy.observability;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.TrafficReport;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every {@link TrafficMeter} of the proxy, one per {@link TrafficEdge} ever used (they are
 * cumulative, so an edge a new configuration drops keeps its counts), plus outlier ejections per
 * upstream cluster. Read two ways from the same counters: as Prometheus metric families for
 * {@code /stats/prometheus} (a {@link MultiCollector}), and as the heartbeat's {@link TrafficReport}.
 */
public final class TrafficMeters implements MultiCollector {
    /** Meters that count into nothing: for tests and for code that is not measured. */
    public static final TrafficMeters NONE = new TrafficMeters(null);

    private static final String[] CLASS_LABELS = {"1xx", "2xx", "3xx", "4xx", "5xx", "none"};
    private static final double[] UPPER_BOUNDS = upperBounds();
    /** For each bucket of {@link TrafficMeter#BOUNDS_SECONDS} (and the overflow), its bucket in the report. */
    private static final int[] REPORT_BUCKET = reportBuckets(TrafficMeter.BOUNDS_SECONDS, TrafficReport.LATENCY_BOUNDS_MILLIS);

    private final Labels proxy;
    private final long startedAtMillis = System.currentTimeMillis();
    private final Map<TrafficEdge, TrafficMeter> meters = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> ejections = new ConcurrentHashMap<>();

    /** @param proxy the labels every series carries: {@code mesh} and {@code virtual_node} or {@code virtual_gateway} */
    public TrafficMeters(Labels proxy) { // null only for NONE
        this.proxy = proxy;
    }

    /** The meter of {@code edge}, made on first use; call when a configuration is compiled, not per request. */
    public TrafficMeter meter(TrafficEdge edge) {
        if (proxy == null) {
            return TrafficMeter.NONE;
        }
        TrafficMeter meter = meters.get(edge);
        return meter != null ? meter : meters.computeIfAbsent(edge, e -> new TrafficMeter(e, proxy.merge(labels(e))));
    }

    /** An outlier-detection ejection of an instance of {@code cluster}. */
    public void ejected(String cluster) {
        ejections.computeIfAbsent(cluster, c -> new LongAdder()).increment();
    }

    /**
     * The heartbeat's report: every edge that saw traffic, cumulative since {@code startedAtMillis}.
     * Costs a pass over the edges, none of the request path's time.
     */
    public TrafficReport report() {
        List<TrafficReport.Edge> edges = new ArrayList<>();
        meters.values().forEach(meter -> {
            TrafficMeter.Reading r = meter.read();
            if (r.idle()) {
                return;
            }
            TrafficEdge e = meter.edge();
            boolean inbound = TrafficEdge.INGRESS.equals(e.direction());
            long[] latency = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
            for (int i = 0; i < r.durations().length; i++) {
                latency[REPORT_BUCKET[i]] += r.durations()[i];
            }
            String target = inbound || e.cluster() == null || "passthrough".equals(e.cluster()) ? null : e.cluster();
            LongAdder ejected = target == null ? null : ejections.get(target);
            edges.add(new TrafficReport.Edge(inbound ? "inbound" : "outbound",
                    inbound ? String.valueOf(e.listener()) : e.virtualService(), e.route(), target, protocol(e),
                    r.requests(), Arrays.copyOf(r.classes(), 5), latency, r.sumMicros(), r.opened(), r.bytesReceived(),
                    r.bytesSent(), r.retries(), ejected == null ? 0 : ejected.sum()));
        });
        return new TrafficReport(startedAtMillis, edges);
    }

    @Override
    public MetricSnapshots collect() {
        CounterSnapshot.Builder requests = CounterSnapshot.builder().name("meshwork_requests")
                .help("HTTP requests finished, by status class sent to the caller (none: the caller left first)");
        HistogramSnapshot.Builder durations = HistogramSnapshot.builder().name("meshwork_request_duration_seconds")
                .help("HTTP request durations, first byte in to last byte out, retries included");
        HistogramSnapshot.Builder lifetimes = HistogramSnapshot.builder().name("meshwork_tcp_connection_duration_seconds")
                .help("TCP connections relayed, by how long they lasted");
        CounterSnapshot.Builder received = CounterSnapshot.builder().name("meshwork_received_bytes")
                .help("Bytes read from the caller: HTTP bodies, TCP streams");
        CounterSnapshot.Builder sent = CounterSnapshot.builder().name("meshwork_sent_bytes")
                .help("Bytes written to the caller: HTTP bodies, TCP streams");
        CounterSnapshot.Builder opened = CounterSnapshot.builder().name("meshwork_upstream_connections")
                .help("Upstream connections opened, counted for the traffic that opened them");
        GaugeSnapshot.Builder active = GaugeSnapshot.builder().name("meshwork_upstream_connections_active")
                .help("Upstream connections open now");
        CounterSnapshot.Builder failed = CounterSnapshot.builder().name("meshwork_upstream_connect_failures")
                .help("Upstream connections that could not be opened");
        CounterSnapshot.Builder retries = CounterSnapshot.builder().name("meshwork_upstream_retries")
                .help("Attempts tried again, by why the one before failed");
        CounterSnapshot.Builder ejected = CounterSnapshot.builder().name("meshwork_outlier_ejections")
                .help("Instances ejected by outlier detection");
        meters.values().forEach(meter -> {
            TrafficMeter.Reading r = meter.read();
            if (r.idle()) {
                return;
            }
            Labels labels = meter.labels;
            for (int c = 0; c < TrafficMeter.CLASSES; c++) {
                if (r.classes()[c] > 0) {
                    requests.dataPoint(counter(labels.add("code_class", CLASS_LABELS[c]), r.classes()[c]));
                }
            }
            if (r.count() > 0) {
                (meter.edge().tcp() ? lifetimes : durations).dataPoint(HistogramDataPointSnapshot.builder().labels(labels)
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, r.durations()))
                        .sum(r.sumMicros() / 1e6).build());
            }
            if (r.bytesReceived() > 0 || r.bytesSent() > 0) {
                received.dataPoint(counter(labels, r.bytesReceived()));
                sent.dataPoint(counter(labels, r.bytesSent()));
            }
            if (r.opened() > 0 || r.failed() > 0) {
                opened.dataPoint(counter(labels, r.opened()));
                active.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(r.opened() - r.closed()).build());
                failed.dataPoint(counter(labels, r.failed()));
            }
            r.retriesByReason().forEach((reason, n) -> retries.dataPoint(counter(labels.add("reason", reason), n)));
        });
        ejections.forEach((cluster, n) -> ejected.dataPoint(counter(proxy.add("cluster", cluster), n.sum())));
        return MetricSnapshots.of(requests.build(), durations.build(), lifetimes.build(), received.build(), sent.build(),
                opened.build(), active.build(), failed.build(), retries.build(), ejected.build());
    }

    private static CounterDataPointSnapshot counter(Labels labels, long value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /** An edge's labels; those that do not apply to it (a route for inbound traffic, ...) are left out. */
    private static Labels labels(TrafficEdge e) {
        List<String> names = new ArrayList<>(6);
        List<String> values = new ArrayList<>(6);
        add(names, values, "direction", e.direction());
        add(names, values, "listener", e.listener() == null ? null : e.listener().toString());
        add(names, values, "virtual_service", e.virtualService());
        add(names, values, "route", e.route());
        add(names, values, "cluster", e.cluster());
        // Every field of the edge is a label, so two edges never share a series (a service's HTTP and TCP ports, say).
        add(names, values, "protocol", e.protocol() == null ? null : e.protocol().wireName());
        return Labels.of(names, values);
    }

    private static void add(List<String> names, List<String> values, String name, String value) {
        if (value != null) {
            names.add(name);
            values.add(value);
        }
    }

    private static String protocol(TrafficEdge e) {
        return (e.protocol() == null ? Protocol.HTTP : e.protocol()).wireName();
    }

    private static double[] upperBounds() {
        double[] out = Arrays.copyOf(TrafficMeter.BOUNDS_SECONDS, TrafficMeter.BOUNDS_SECONDS.length + 1);
        out[out.length - 1] = Double.POSITIVE_INFINITY;
        return out;
    }

    /**
     * Maps the finer Prometheus buckets onto the report's: each report bound must be one of ours,
     * or a duration could not be placed on the right side of it.
     */
    static int[] reportBuckets(double[] boundsSeconds, double[] reportBoundsMillis) {
        int[] out = new int[boundsSeconds.length + 1];
        int j = 0;
        for (int i = 0; i < boundsSeconds.length; i++) {
            double millis = boundsSeconds[i] * 1000;
            while (j < reportBoundsMillis.length && reportBoundsMillis[j] < millis - 1e-9) {
                j++;
            }
            out[i] = j;
        }
        out[boundsSeconds.length] = reportBoundsMillis.length;
        for (double bound : reportBoundsMillis) {
            boolean shared = Arrays.stream(boundsSeconds).anyMatch(b -> Math.abs(b * 1000 - bound) < 1e-9);
            if (!shared) {
                throw new IllegalStateException("report bucket bound " + bound + " ms is not a bound of the proxy's buckets "
                        + Arrays.toString(boundsSeconds));
            }
        }
        return out;
    }
}
