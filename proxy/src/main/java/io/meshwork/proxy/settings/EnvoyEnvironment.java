package io.meshwork.proxy.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The App Mesh Envoy image's environment variables (APPMESH.md §7.1) that task definitions and
 * pods set and Meshwork's proxy does not act on. They are not errors, since existing task
 * definitions carry them, but a user should learn at start, by name, that they do nothing here.
 * The ones Meshwork honours are read by {@link ProxySettings} and the logging setup:
 * APPMESH_RESOURCE_ARN, APPMESH_VIRTUAL_NODE_NAME, APPMESH_RESOURCE_NAME, ENVOY_LOG_LEVEL,
 * ENVOY_ADMIN_ACCESS_PORT, AWS_REGION; and by the tracing setup (observability/tracing): the X-Ray
 * and "Jaeger" switches with their addresses, ports, sampling rate and segment name.
 */
public final class EnvoyEnvironment {
    /** Name → what to use instead, or "" when there is nothing. */
    private static final Map<String, String> UNSUPPORTED = new TreeMap<>(Map.ofEntries(
            Map.entry("APPMESH_XDS_ENDPOINT", "PROXY_CONTROL_API_URL"),
            Map.entry("APPMESH_SIGNING_NAME", ""),
            Map.entry("APPMESH_RESOURCE_CLUSTER", ""),
            Map.entry("APPMESH_VIRTUAL_NODE_CLUSTER", ""),
            Map.entry("APPMESH_PREVIEW", ""),
            Map.entry("APPMESH_DUALSTACK_ENDPOINT", ""),
            Map.entry("APPMESH_FIPS_ENDPOINT", ""),
            Map.entry("APPMESH_SDS_SOCKET_PATH", ""),
            Map.entry("APPMESH_METRIC_EXTENSION_VERSION", ""),
            Map.entry("APPMESH_SET_TRACING_DECISION", ""),
            Map.entry("ENVOY_INITIAL_FETCH_TIMEOUT", ""),
            Map.entry("ENVOY_CONCURRENCY", ""),
            Map.entry("ENVOY_ADMIN_MODE", ""),
            Map.entry("ENVOY_ADMIN_ACCESS_LOG_FILE", ""),
            Map.entry("ENVOY_ADMIN_ACCESS_ENABLE_IPV6", "PROXY_LOCAL_ADDRESS=::"),
            Map.entry("XRAY_SAMPLING_RULE_MANIFEST", "XRAY_SAMPLING_RATE"),
            Map.entry("DATADOG_TRACER_ADDRESS", ""),
            Map.entry("DATADOG_TRACER_PORT", ""),
            Map.entry("STATSD_ADDRESS", ""),
            Map.entry("STATSD_PORT", ""),
            Map.entry("STATSD_SOCKET_PATH", ""),
            Map.entry("ENABLE_ENVOY_DATADOG_TRACING", ""),
            Map.entry("ENVOY_TRACING_CFG_FILE", "OTEL_EXPORTER_OTLP_ENDPOINT"),
            Map.entry("ENABLE_ENVOY_STATS_TAGS", ""),
            Map.entry("ENVOY_STATS_CONFIG_FILE", ""),
            Map.entry("ENVOY_STATS_SINKS_CFG_FILE", ""),
            Map.entry("ENVOY_STATS_FLUSH_INTERVAL", ""),
            Map.entry("ENABLE_ENVOY_DOG_STATSD", ""),
            Map.entry("ENVOY_CONFIG_FILE", ""),
            Map.entry("ENVOY_RESOURCES_CONFIG_FILE", ""),
            Map.entry("ENVOY_NO_EXTENSION_LOOKUP_BY_NAME", ""),
            Map.entry("ENVOY_ENABLE_TCP_POOL_IDLE_TIMEOUT", ""),
            Map.entry("MAX_REQUESTS_PER_IO_CYCLE", ""),
            Map.entry("ENVOY_USE_HTTP_CLIENT_TO_FETCH_AWS_CREDENTIALS", "")));
    /** Switches: set to an off value they ask for nothing, and nothing is said about them. */
    private static final Set<String> SWITCHES = Set.of("APPMESH_PREVIEW", "APPMESH_DUALSTACK_ENDPOINT", "APPMESH_FIPS_ENDPOINT",
            "ENVOY_ADMIN_ACCESS_ENABLE_IPV6");
    private static final Set<String> OFF = Set.of("", "0", "false", "no", "off");

    private EnvoyEnvironment() {
    }

    /** The set variables Meshwork ignores, each as {@code NAME=value} and what to use instead, if anything. */
    public static List<String> ignored(Map<String, String> env) {
        List<String> out = new ArrayList<>();
        UNSUPPORTED.forEach((name, instead) -> {
            String value = env.get(name);
            boolean isSwitch = name.startsWith("ENABLE_") || SWITCHES.contains(name);
            if (value == null || isSwitch && OFF.contains(value.trim().toLowerCase(java.util.Locale.ROOT))) {
                return;
            }
            out.add(name + "=" + value + (instead.isEmpty() ? "" : " (use " + instead + ")"));
        });
        return out;
    }
}
