package io.meshwork.controlapi.tracing;

import io.micronaut.http.HttpRequest;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The control API's tracer. On when {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) is set, or {@code OTEL_TRACES_EXPORTER} names an
 * exporter other than {@code none}; never with {@code OTEL_SDK_DISABLED=true}. Every other OTEL_*
 * variable works as in any OpenTelemetry SDK (sampler, resource attributes, propagators, batch
 * settings); {@code service.name} defaults to {@code meshwork-control-api}, OTLP goes as
 * http/protobuf. Off, {@link #tracer()} is OpenTelemetry's no-op tracer and {@link #enabled()} false.
 */
@Singleton
public final class ControlApiTracing {
    private static final Logger LOG = LoggerFactory.getLogger(ControlApiTracing.class);
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    /** The request attribute holding a request's SERVER span. */
    static final String SPAN = "meshwork.span";
    public static final AttributeKey<String> MESH = AttributeKey.stringKey("appmesh.mesh");

    private final OpenTelemetrySdk sdk;
    private final OpenTelemetry otel;

    public ControlApiTracing() {
        this(System.getenv());
    }

    ControlApiTracing(Map<String, String> env) {
        OpenTelemetrySdk started = null;
        Map<String, String> props = properties(env);
        if (props != null) {
            try {
                started = AutoConfiguredOpenTelemetrySdk.builder()
                        .addPropertiesCustomizer(config -> props)
                        .addResourceCustomizer((resource, config) -> {
                            String name = resource.getAttribute(SERVICE_NAME);
                            return name == null || name.startsWith("unknown_service")
                                    ? resource.merge(Resource.create(Attributes.of(SERVICE_NAME, "meshwork-control-api"))) : resource;
                        })
                        .disableShutdownHook()
                        .build().getOpenTelemetrySdk();
                LOG.info("tracing: exporters {}, sampler {}", props.get("otel.traces.exporter"),
                        props.getOrDefault("otel.traces.sampler", "parentbased_always_on"));
            } catch (RuntimeException e) {
                // The API serves without traces rather than not at all.
                LOG.error("tracing is off: {}{}", e.getMessage(), e.getCause() == null ? "" : ": " + e.getCause().getMessage());
            }
        }
        this.sdk = started;
        this.otel = started != null ? started : OpenTelemetry.noop();
    }

    /** The OpenTelemetry properties {@code env} asks for, or null when it asks for no tracing. */
    static Map<String, String> properties(Map<String, String> env) {
        if ("true".equalsIgnoreCase(blankToNull(env.get("OTEL_SDK_DISABLED")))) {
            return null;
        }
        boolean endpoint = blankToNull(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")) != null
                || blankToNull(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != null;
        String exporters = blankToNull(env.get("OTEL_TRACES_EXPORTER"));
        if (!endpoint && (exporters == null || exporters.equalsIgnoreCase("none"))) {
            return null;
        }
        Map<String, String> props = new HashMap<>();
        props.put("otel.traces.exporter", endpoint ? "otlp" : "none");
        // The Java SDK's default is grpc, whose sender would need OkHttp; the JDK client speaks http/protobuf.
        props.put("otel.exporter.otlp.protocol", "http/protobuf");
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && blankToNull(value) != null) {
                props.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        });
        props.put("otel.metrics.exporter", "none");
        props.put("otel.logs.exporter", "none");
        return Map.copyOf(props);
    }

    public boolean enabled() {
        return sdk != null;
    }

    public Tracer tracer() {
        return otel.getTracer("io.meshwork.controlapi");
    }

    public TextMapPropagator propagator() {
        return otel.getPropagators().getTextMapPropagator();
    }

    /** The context of a request's span, for work done on its behalf ({@code Context.root()} when untraced). */
    public static Context context(HttpRequest<?> request) {
        return request.getAttribute(SPAN, Span.class).map(span -> Context.root().with(span)).orElse(Context.root());
    }

    @PreDestroy
    void close() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
