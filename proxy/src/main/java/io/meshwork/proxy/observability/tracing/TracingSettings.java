package io.meshwork.proxy.observability.tracing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the environment asks of tracing, before any SDK class is loaded: whether to trace at all,
 * and the App Mesh Envoy switches (INTEGRATIONS.md §10) translated into OpenTelemetry settings.
 * Tracing is on when one of these is set: {@code ENABLE_ENVOY_XRAY_TRACING},
 * {@code ENABLE_ENVOY_JAEGER_TRACING}, {@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, or {@code OTEL_TRACES_EXPORTER} other than
 * {@code none}; and never with {@code OTEL_SDK_DISABLED=true}. Unlike a plain OpenTelemetry SDK,
 * which exports to localhost:4318 by default, a proxy with none of them set traces nothing.
 *
 * @param xray          X-Ray segments to 127.0.0.1:{@code xrayPort}, or not
 * @param xrayPort      {@code XRAY_DAEMON_PORT} (2000)
 * @param xraySegmentName {@code XRAY_SEGMENT_NAME}, null for {@code mesh/node}
 * @param zipkinUrl     where Zipkin v2 spans go ({@code http://JAEGER_TRACER_ADDRESS:JAEGER_TRACER_PORT/api/v2/spans}), or null
 * @param properties    OpenTelemetry properties ({@code otel.*}): the defaults these switches imply,
 *                      overridden by every OTEL_* variable set
 */
public record TracingSettings(boolean xray, int xrayPort, String xraySegmentName, String zipkinUrl,
                              Map<String, String> properties) {
    static final double DEFAULT_XRAY_SAMPLING_RATE = 0.05;
    static final int DEFAULT_XRAY_PORT = 2000;
    static final int DEFAULT_JAEGER_PORT = 9411;
    private static final Set<String> OFF = Set.of("", "0", "false", "no", "off");

    /** The variables the proxy acts on (so they are not reported as ignored App Mesh settings). */
    public static final List<String> APP_MESH_VARIABLES = List.of("ENABLE_ENVOY_XRAY_TRACING", "XRAY_DAEMON_PORT",
            "XRAY_SAMPLING_RATE", "XRAY_SEGMENT_NAME", "ENABLE_ENVOY_JAEGER_TRACING", "JAEGER_TRACER_ADDRESS",
            "JAEGER_TRACER_PORT", "JAEGER_TRACER_VERSION");

    /** The settings {@code env} asks for, or null when it asks for no tracing. */
    public static TracingSettings fromEnvironment(Map<String, String> env) {
        if ("true".equalsIgnoreCase(trim(env.get("OTEL_SDK_DISABLED")))) {
            return null;
        }
        boolean xray = on(env, "ENABLE_ENVOY_XRAY_TRACING");
        boolean jaeger = on(env, "ENABLE_ENVOY_JAEGER_TRACING");
        String otlpEndpoint = trim(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        if (otlpEndpoint == null) {
            otlpEndpoint = trim(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }
        String exporters = trim(env.get("OTEL_TRACES_EXPORTER"));
        boolean otel = otlpEndpoint != null || exporters != null && !exporters.equalsIgnoreCase("none");
        if (!xray && !jaeger && !otel) {
            return null;
        }
        Map<String, String> props = new LinkedHashMap<>();
        // Only what this proxy's switches imply; the OTEL_* variables (below) override each of them.
        props.put("otel.traces.exporter", otlpEndpoint != null ? "otlp" : "none");
        // The Java SDK's default is grpc; the specification recommends http/protobuf, the one sender we ship.
        props.put("otel.exporter.otlp.protocol", "http/protobuf");
        // Extraction goes in this order and the last format found wins: a request carrying several (as one from
        // another proxy does) is read from W3C's headers, the only ones with tracestate.
        props.put("otel.propagators", xray ? "xray,b3multi,tracecontext,baggage" : "b3multi,tracecontext,baggage");
        if (xray) {
            // Envoy's X-Ray tracer sampled XRAY_SAMPLING_RATE of the requests that came without a decision.
            props.put("otel.traces.sampler", "parentbased_traceidratio");
            props.put("otel.traces.sampler.arg", Double.toString(rate(env.get("XRAY_SAMPLING_RATE"))));
        }
        props.putAll(otelProperties(env));
        String protocol = props.getOrDefault("otel.exporter.otlp.traces.protocol", props.get("otel.exporter.otlp.protocol"));
        if (protocol != null && !protocol.equals("http/protobuf") && props.get("otel.traces.exporter").contains("otlp")) {
            // The gRPC sender needs OkHttp (and Kotlin) or grpc-java; the proxy ships the JDK's HTTP client only.
            throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_PROTOCOL " + protocol + " is not supported: the proxy"
                    + " exports OTLP as http/protobuf only (a collector's port 4318, path /v1/traces)");
        }
        // The proxy makes no OpenTelemetry metrics or logs (its stats are on the admin port): nothing to export.
        props.put("otel.metrics.exporter", "none");
        props.put("otel.logs.exporter", "none");
        String zipkin = null;
        if (jaeger) {
            String host = trim(env.get("JAEGER_TRACER_ADDRESS"));
            int port = port(env, "JAEGER_TRACER_PORT", DEFAULT_JAEGER_PORT);
            if (host == null) {
                throw new IllegalArgumentException("ENABLE_ENVOY_JAEGER_TRACING is set but JAEGER_TRACER_ADDRESS is not:"
                        + " name the Zipkin-compatible collector (e.g. appmesh-jaeger.appmesh-system)");
            }
            zipkin = "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port + "/api/v2/spans";
            String version = trim(env.get("JAEGER_TRACER_VERSION"));
            if (version != null && !version.equalsIgnoreCase("v2") && !version.startsWith("1.")) {
                throw new IllegalArgumentException("JAEGER_TRACER_VERSION " + version + ": only the Zipkin v2 JSON API is spoken");
            }
        }
        return new TracingSettings(xray, port(env, "XRAY_DAEMON_PORT", DEFAULT_XRAY_PORT),
                trim(env.get("XRAY_SEGMENT_NAME")), zipkin, Map.copyOf(props));
    }

    /** {@code OTEL_FOO_BAR=x} as {@code otel.foo.bar=x}, as every OpenTelemetry SDK reads them. */
    static Map<String, String> otelProperties(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
                out.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        });
        return out;
    }

    private static double rate(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_XRAY_SAMPLING_RATE;
        }
        try {
            double rate = Double.parseDouble(value.trim());
            if (rate < 0 || rate > 1 || Double.isNaN(rate)) {
                throw new NumberFormatException();
            }
            return rate;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("XRAY_SAMPLING_RATE must be a number from 0 to 1, got '" + value + "'");
        }
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = trim(env.get(name));
        if (value == null) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, got '" + value + "'");
        }
    }

    private static boolean on(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !OFF.contains(value.trim().toLowerCase(Locale.ROOT));
    }

    private static String trim(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
