package io.meshwork.proxy.observability;

import io.meshwork.proxy.observability.ExchangeObserver;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.upstream.UpstreamStats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's counters and histograms, exposed in Prometheus text format on the admin port.
 * Hand-rolled on LongAdder: the request path pays one map lookup and an add per series,
 * which a general metrics SDK with attribute objects would multiply.
 */
public final class ProxyMetrics implements ExchangeObserver, UpstreamStats, ResilienceEvents {
    private static final double[] BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10, 30};

    /** Keys of the per-request series: records, so the request path builds no strings. */
    private record RequestKey(String direction, String cluster, String route, int codeClass) {
    }

    private record LatencyKey(String direction, String cluster) {
    }

    private record FlagKey(String direction, ResponseFlag flag) {
    }

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<LatencyKey, Histogram> latencies = new ConcurrentHashMap<>();
    private final Map<FlagKey, LongAdder> localResponses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> gauges = new ConcurrentHashMap<>();
    private final Map<String, String> types = new ConcurrentHashMap<>();
    private volatile String configVersion = "";

    private static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS_SECONDS.length];
        final LongAdder count = new LongAdder();
        final LongAdder sumMicros = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(long nanos) {
            double seconds = nanos / 1e9;
            for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
                if (seconds <= BUCKETS_SECONDS[i]) {
                    buckets[i].increment();
                    break;
                }
            }
            count.increment();
            sumMicros.add(nanos / 1000);
        }
    }

    @Override
    public void completed(ExchangeRecord r) {
        String cluster = r.cluster() == null ? "none" : r.cluster();
        String route = r.route() == null ? "none" : r.route();
        requests.computeIfAbsent(new RequestKey(r.direction(), cluster, route, r.status() / 100), k -> new LongAdder()).increment();
        if (r.flags() != ResponseFlag.NONE) {
            localResponses.computeIfAbsent(new FlagKey(r.direction(), r.flags()), k -> new LongAdder()).increment();
        }
        latencies.computeIfAbsent(new LatencyKey(r.direction(), cluster), k -> new Histogram()).record(r.durationNanos());
    }

    @Override
    public void connected(String cluster) {
        inc("meshwork_upstream_connections_total", "counter", "cluster", cluster);
        gauge("meshwork_upstream_connections_active", cluster).increment();
    }

    @Override
    public void disconnected(String cluster) {
        gauge("meshwork_upstream_connections_active", cluster).decrement();
    }

    @Override
    public void connectFailed(String cluster) {
        inc("meshwork_upstream_connect_failures_total", "counter", "cluster", cluster);
    }

    @Override
    public void retried(String cluster, String reason) {
        inc("meshwork_upstream_retries_total", "counter", "cluster", cluster, "reason", reason);
    }

    @Override
    public void retryBudgetExhausted(String cluster) {
        inc("meshwork_upstream_retry_budget_exhausted_total", "counter", "cluster", cluster);
    }

    @Override
    public void ejected(String cluster, java.net.InetSocketAddress endpoint, long forMillis, int times) {
        inc("meshwork_outlier_ejections_total", "counter", "cluster", cluster);
        gauge("meshwork_outlier_ejected_endpoints", cluster).increment();
    }

    @Override
    public void returned(String cluster, java.net.InetSocketAddress endpoint) {
        gauge("meshwork_outlier_ejected_endpoints", cluster).decrement();
    }

    @Override
    public void overflowed(String cluster, String kind) {
        inc("meshwork_upstream_overflow_total", "counter", "cluster", cluster, "limit", kind);
    }

    @Override
    public void healthChanged(String cluster, java.net.InetSocketAddress endpoint, boolean healthy, String detail) {
        inc("meshwork_health_check_transitions_total", "counter", "cluster", cluster, "to", healthy ? "healthy" : "unhealthy");
        gauge("meshwork_unhealthy_endpoints", cluster).add(healthy ? -1 : 1);
    }

    public void configApplied(String version) {
        configVersion = version;
        inc("meshwork_config_updates_total", "counter", "result", "applied");
    }

    public void configRejected() {
        inc("meshwork_config_updates_total", "counter", "result", "rejected");
    }

    public void accessLogDropped() {
        inc("meshwork_access_log_dropped_total", "counter");
    }

    /** Prometheus text exposition format 0.0.4. */
    public String prometheusText() {
        StringBuilder sb = new StringBuilder();
        Map<String, StringBuilder> byName = new TreeMap<>();
        types.putIfAbsent("meshwork_requests_total", "counter");
        types.putIfAbsent("meshwork_local_responses_total", "counter");
        types.putIfAbsent("meshwork_request_duration_seconds", "histogram");
        requests.forEach((k, v) -> line(byName, Labels.of("meshwork_requests_total", "direction", k.direction(), "cluster",
                k.cluster(), "route", k.route(), "code_class", k.codeClass() + "xx").series(), v.sum()));
        localResponses.forEach((k, v) -> line(byName, Labels.of("meshwork_local_responses_total", "direction", k.direction(),
                "flag", k.flag().code()).series(), v.sum()));
        latencies.forEach((k, h) -> histograms.putIfAbsent(Labels.of("meshwork_request_duration_seconds", "direction",
                k.direction(), "cluster", k.cluster()).series(), h));
        counters.forEach((series, v) -> line(byName, series, v.sum()));
        gauges.forEach((series, v) -> line(byName, series, v.sum()));
        histograms.forEach((series, h) -> {
            String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            String labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1) : "";
            StringBuilder out = byName.computeIfAbsent(name, k -> new StringBuilder());
            long cumulative = 0;
            for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
                cumulative += h.buckets[i].sum();
                out.append(name).append("_bucket{").append(labels).append(labels.isEmpty() ? "" : ",").append("le=\"")
                        .append(BUCKETS_SECONDS[i]).append("\"} ").append(cumulative).append('\n');
            }
            out.append(name).append("_bucket{").append(labels).append(labels.isEmpty() ? "" : ",").append("le=\"+Inf\"} ")
                    .append(h.count.sum()).append('\n');
            out.append(name).append("_sum").append(labels.isEmpty() ? "" : "{" + labels + "}").append(' ')
                    .append(h.sumMicros.sum() / 1e6).append('\n');
            out.append(name).append("_count").append(labels.isEmpty() ? "" : "{" + labels + "}").append(' ')
                    .append(h.count.sum()).append('\n');
        });
        line(byName, Labels.of("meshwork_config_info", "version", configVersion).series(), 1);
        types.putIfAbsent("meshwork_config_info", "gauge");
        byName.forEach((name, lines) -> {
            sb.append("# TYPE ").append(name).append(' ').append(types.getOrDefault(name, "gauge")).append('\n');
            sb.append(lines);
        });
        return sb.toString();
    }

    private static void line(Map<String, StringBuilder> byName, String series, long value) {
        String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
        byName.computeIfAbsent(name, k -> new StringBuilder()).append(series).append(' ').append(value).append('\n');
    }

    private void inc(String name, String type, String... labels) {
        types.putIfAbsent(name, type);
        counters.computeIfAbsent(Labels.of(name, labels).series(), k -> new LongAdder()).increment();
    }

    private LongAdder gauge(String name, String cluster) {
        types.putIfAbsent(name, "gauge");
        return gauges.computeIfAbsent(Labels.of(name, "cluster", cluster).series(), k -> new LongAdder());
    }

}
