package io.meshwork.proxy.observability;

import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.settings.ResourceRef;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The proxy's metrics, served on the admin port's {@code /stats/prometheus} through the Prometheus
 * Java client's registry and writers (Prometheus text, or OpenMetrics when the scraper asks).
 * Every series carries {@code mesh} and {@code virtual_node} (or {@code virtual_gateway}).
 * Traffic (requests, durations, bytes, connections, retries) is counted per {@link TrafficEdge}
 * by {@link TrafficMeters}; the rarer events (configuration updates, pool overflows, health
 * changes, ...) use the client's own metric types. docs/metrics.md lists every name.
 */
public final class ProxyMetrics implements ExchangeObserver, ResilienceEvents {
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final OpenMetricsTextFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();
    private static final ResponseFlag[] FLAGS = ResponseFlag.values();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Labels proxy;
    private final TrafficMeters traffic;
    private final Counter localResponses;
    /** Local responses per direction, one data point per flag: resolved once per direction, not per request. */
    private final Map<String, CounterDataPoint[]> localResponsesByDirection = new ConcurrentHashMap<>();
    private final Counter budgetExhausted;
    private final Counter overflows;
    private final Gauge ejectedEndpoints;
    private final Counter connectBackoffs;
    private final Counter healthTransitions;
    private final Gauge unhealthyEndpoints;
    private final Counter configUpdates;
    private final Counter accessLogDropped;
    private volatile String configVersion = "";

    /**
     * @param mesh the proxy's mesh
     * @param kind {@link ResourceRef#VIRTUAL_NODE} or {@link ResourceRef#VIRTUAL_GATEWAY}
     * @param name the virtual node's or gateway's name
     */
    public ProxyMetrics(String mesh, String kind, String name) {
        this.proxy = Labels.of("mesh", mesh, ResourceRef.VIRTUAL_GATEWAY.equals(kind) ? "virtual_gateway" : "virtual_node", name);
        this.traffic = new TrafficMeters(proxy);
        registry.register(traffic);
        localResponses = counter("meshwork_local_responses_total", "Requests the proxy answered itself, by Envoy response flag",
                "direction", "flag");
        budgetExhausted = counter("meshwork_upstream_retry_budget_exhausted_total",
                "Retryable failures passed to the caller because the cluster's retry budget was spent", "cluster");
        overflows = counter("meshwork_upstream_overflow_total", "Requests or connections refused by a connection pool limit",
                "cluster", "limit");
        ejectedEndpoints = Gauge.builder().name("meshwork_outlier_ejected_endpoints").help("Instances ejected now")
                .constLabels(proxy).labelNames("cluster").register(registry);
        connectBackoffs = counter("meshwork_upstream_connect_backoffs_total",
                "Instances set aside because connections to them failed (each back-off, failed probes' included)", "cluster");
        healthTransitions = counter("meshwork_health_check_transitions_total", "Instances turning healthy or unhealthy",
                "cluster", "to");
        unhealthyEndpoints = Gauge.builder().name("meshwork_unhealthy_endpoints").help("Instances failing their health check now")
                .constLabels(proxy).labelNames("cluster").register(registry);
        configUpdates = counter("meshwork_config_updates_total", "Configuration versions applied or refused", "result");
        accessLogDropped = counter("meshwork_access_log_dropped_total", "Access log lines dropped because the writer fell behind");
        GaugeWithCallback.builder().name("meshwork_config_info").help("The configuration version in force (value 1)")
                .constLabels(proxy).labelNames("version").callback(cb -> cb.call(1, configVersion)).register(registry);
    }

    /** The proxy's per-edge traffic counters: the request path's meters and the heartbeat's report. */
    public TrafficMeters traffic() {
        return traffic;
    }

    /** Adds a metric of the caller's (e.g. the workload certificate's expiry) with the proxy's labels. */
    public void gauge(String name, String help, Consumer<GaugeWithCallback.Callback> callback, String... labelNames) {
        GaugeWithCallback.builder().name(name).help(help).constLabels(proxy).labelNames(labelNames).callback(callback)
                .register(registry);
    }

    private Counter counter(String name, String help, String... labelNames) {
        return Counter.builder().name(name).help(help).constLabels(proxy).labelNames(labelNames).withoutExemplars().register(registry);
    }

    /** Only local responses are counted here (requests by edge are counted by their {@link TrafficMeter}). */
    @Override
    public boolean wants(ResponseFlag flags) {
        return flags != ResponseFlag.NONE;
    }

    @Override
    public void completed(ExchangeRecord r) {
        if (r.flags() == ResponseFlag.NONE) {
            return;
        }
        CounterDataPoint[] byFlag = localResponsesByDirection.get(r.direction());
        if (byFlag == null) {
            byFlag = localResponsesByDirection.computeIfAbsent(r.direction(), d -> {
                CounterDataPoint[] points = new CounterDataPoint[FLAGS.length];
                for (ResponseFlag flag : FLAGS) {
                    points[flag.ordinal()] = localResponses.labelValues(d, flag.code());
                }
                return points;
            });
        }
        byFlag[r.flags().ordinal()].inc();
    }

    // Retries are counted per edge by the exchange's TrafficMeter, which knows the route as well.

    @Override
    public void retryBudgetExhausted(String cluster) {
        budgetExhausted.labelValues(cluster).inc();
    }

    @Override
    public void ejected(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
        traffic.ejected(cluster);
        ejectedEndpoints.labelValues(cluster).inc();
    }

    @Override
    public void connectsFailing(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
        connectBackoffs.labelValues(cluster).inc();
    }

    @Override
    public void returned(String cluster, InetSocketAddress endpoint) {
        ejectedEndpoints.labelValues(cluster).dec();
    }

    @Override
    public void overflowed(String cluster, String kind) {
        overflows.labelValues(cluster, kind).inc();
    }

    @Override
    public void healthChanged(String cluster, InetSocketAddress endpoint, boolean healthy, String detail) {
        healthTransitions.labelValues(cluster, healthy ? "healthy" : "unhealthy").inc();
        unhealthyEndpoints.labelValues(cluster).inc(healthy ? -1 : 1);
    }

    public void configApplied(String version) {
        configVersion = version;
        configUpdates.labelValues("applied").inc();
    }

    public void configRejected() {
        configUpdates.labelValues("rejected").inc();
    }

    public void accessLogDropped() {
        accessLogDropped.inc();
    }

    /** The writer for a scraper's {@code Accept} header: OpenMetrics when it asks for it, Prometheus text otherwise. */
    public static ExpositionFormatWriter writerFor(String accept) {
        return accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : TEXT;
    }

    /** Writes every metric in the format {@code writer} speaks. */
    public void write(ExpositionFormatWriter writer, OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** Everything in the Prometheus text format (version 0.0.4). */
    public String prometheusText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(TEXT, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
