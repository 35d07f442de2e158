package io.meshwork.proxy.observability.tracing;

import io.meshwork.proxy.settings.ResourceRef;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's tracer: the OpenTelemetry SDK as the environment configures it (autoconfigure reads
 * the OTEL_* variables as every OpenTelemetry SDK does; App Mesh's switches add their exporters),
 * and the start of each request's trace. Exchanges reach it through their {@code RequestPath};
 * when tracing is off there is no instance, and an exchange pays one null check.
 */
public final class ProxyTracing {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyTracing.class);
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    static final AttributeKey<String> MESH = AttributeKey.stringKey("appmesh.mesh");
    static final AttributeKey<String> VIRTUAL_NODE = AttributeKey.stringKey("appmesh.virtual_node");
    static final AttributeKey<String> VIRTUAL_GATEWAY = AttributeKey.stringKey("appmesh.virtual_gateway");

    private final OpenTelemetrySdk sdk;
    final Tracer tracer;
    final TextMapPropagator propagator;
    /** Every header the propagators write: removed from an upstream request before they write theirs. */
    final String[] fields;

    ProxyTracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
        this.tracer = sdk.getTracer("io.meshwork.proxy");
        this.propagator = sdk.getPropagators().getTextMapPropagator();
        this.fields = propagator.fields().toArray(String[]::new);
    }

    /**
     * The tracing {@code env} asks for, or null when it asks for none. A setting the proxy cannot
     * act on leaves tracing off with an error naming it: traffic never depends on tracing.
     */
    public static ProxyTracing fromEnvironment(Map<String, String> env, ResourceRef resource, String proxyId) {
        TracingSettings settings;
        try {
            settings = TracingSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            LOG.error("tracing is off: {}", e.getMessage());
            return null;
        }
        if (settings == null) {
            return null;
        }
        try {
            ProxyTracing tracing = start(settings, resource, proxyId);
            LOG.info("tracing: exporters {}{}{}, sampler {}, propagators {}", settings.properties().get("otel.traces.exporter"),
                    settings.xray() ? ", X-Ray segments to 127.0.0.1:" + settings.xrayPort() : "",
                    settings.zipkinUrl() == null ? "" : ", Zipkin spans to " + settings.zipkinUrl(),
                    settings.properties().getOrDefault("otel.traces.sampler", "parentbased_always_on")
                            + (settings.properties().containsKey("otel.traces.sampler.arg")
                            ? " " + settings.properties().get("otel.traces.sampler.arg") : ""),
                    String.join(",", tracing.propagator.fields()));
            return tracing;
        } catch (RuntimeException e) {
            LOG.error("tracing is off: {}{}", e.getMessage(), e.getCause() == null ? "" : ": " + e.getCause().getMessage());
            return null;
        }
    }

    static ProxyTracing start(TracingSettings settings, ResourceRef resource, String proxyId) {
        AutoConfiguredOpenTelemetrySdk configured = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesCustomizer(config -> settings.properties())
                .addResourceCustomizer((r, config) -> meshResource(r, resource, proxyId))
                .addTracerProviderCustomizer((builder, config) -> appMeshExporters(builder, config, settings, resource))
                .disableShutdownHook()
                .build();
        return new ProxyTracing(configured.getOpenTelemetrySdk());
    }

    /** The node's identity as resource attributes; {@code service.name} is the node's name unless OTEL_* names one. */
    static Resource meshResource(Resource configured, ResourceRef ref, String proxyId) {
        var attributes = Attributes.builder().put(MESH, ref.mesh()).put(ref.isGateway() ? VIRTUAL_GATEWAY : VIRTUAL_NODE, ref.name());
        if (proxyId != null) {
            attributes.put(AttributeKey.stringKey("service.instance.id"), proxyId);
        }
        Resource merged = Resource.create(attributes.build()).merge(configured);
        String service = merged.getAttribute(SERVICE_NAME);
        if (service == null || service.startsWith("unknown_service")) {
            merged = merged.merge(Resource.create(Attributes.of(SERVICE_NAME, ref.name())));
        }
        return merged;
    }

    private static SdkTracerProviderBuilder appMeshExporters(SdkTracerProviderBuilder builder, ConfigProperties config,
                                                             TracingSettings settings, ResourceRef resource) {
        if (settings.xray()) {
            builder.setIdGenerator(XRayIds.INSTANCE);
            String name = settings.xraySegmentName() != null ? settings.xraySegmentName() : resource.mesh() + "/" + resource.name();
            builder.addSpanProcessor(batch(new XRaySegmentExporter(new InetSocketAddress("127.0.0.1", settings.xrayPort()), name), config));
        }
        if (settings.zipkinUrl() != null) {
            builder.addSpanProcessor(batch(ZipkinSpanExporter.create(settings.zipkinUrl()), config));
        }
        return builder;
    }

    /** A batch processor with the OTEL_BSP_* settings, as autoconfigure gives its own exporters. */
    private static BatchSpanProcessor batch(SpanExporter exporter, ConfigProperties config) {
        return BatchSpanProcessor.builder(exporter)
                .setScheduleDelay(config.getDuration("otel.bsp.schedule.delay", Duration.ofSeconds(5)))
                .setMaxQueueSize(config.getInt("otel.bsp.max.queue.size", 2048))
                .setMaxExportBatchSize(config.getInt("otel.bsp.max.export.batch.size", 512))
                .setExporterTimeout(config.getDuration("otel.bsp.export.timeout", Duration.ofSeconds(30)))
                .build();
    }

    /**
     * Starts the SERVER span of a request the proxy received (from its app on egress, from a peer
     * on ingress), child of whatever trace context its headers carry. Null if tracing fails: a
     * request never fails for its trace.
     */
    public ExchangeTrace start(HttpRequest request, String direction, SocketAddress peer, boolean http2) {
        try {
            return trace(request, direction, peer, http2);
        } catch (RuntimeException | LinkageError e) {
            failed(e);
            return null;
        }
    }

    private volatile boolean failedOnce;

    /** Something in the tracing path broke: said once, and the request goes on untraced. */
    void failed(Throwable e) {
        if (!failedOnce) {
            failedOnce = true;
            LOG.error("tracing failed; the request goes on untraced", e);
        }
    }

    private ExchangeTrace trace(HttpRequest request, String direction, SocketAddress peer, boolean http2) {
        HttpHeaders headers = request.headers();
        Context parent = propagator.extract(Context.root(), headers, NettyHeaders.INSTANCE);
        String host = headers.get(HttpHeaderNames.HOST);
        Span server = tracer.spanBuilder(host == null ? direction : direction + " " + host).setSpanKind(SpanKind.SERVER)
                .setParent(parent).startSpan();
        if (server.isRecording()) {
            ExchangeTrace.describeServer(server, request, direction, host, peer, http2);
        }
        return new ExchangeTrace(this, parent.with(server), server, request.method().name());
    }

    /** Sends what is left and stops; waits at most {@code seconds}. */
    public void shutdown(long seconds) {
        sdk.shutdown().join(seconds, TimeUnit.SECONDS);
    }
}
