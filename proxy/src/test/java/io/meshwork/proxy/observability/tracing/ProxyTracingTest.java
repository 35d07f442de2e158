package io.meshwork.proxy.observability.tracing;

import io.meshwork.proxy.settings.ResourceRef;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProxyTracingTest {
    private static final ResourceRef NODE = ResourceRef.parse("mesh/shop/virtualNode/orders");

    @Test
    void noTracingVariableMeansNoTracer() {
        assertNull(TracingSettings.fromEnvironment(Map.of()));
        assertNull(TracingSettings.fromEnvironment(Map.of("OTEL_SERVICE_NAME", "x", "OTEL_TRACES_SAMPLER", "always_on")),
                "settings that configure a tracer but ask for no exporter start none");
        assertNull(TracingSettings.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "none", "ENABLE_ENVOY_XRAY_TRACING", "0")));
        assertNull(TracingSettings.fromEnvironment(Map.of("OTEL_SDK_DISABLED", "true", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")));
        assertNull(ProxyTracing.fromEnvironment(Map.of(), NODE, "orders-1"));
    }

    @Test
    void appMeshSwitchesBecomeOpenTelemetryDefaultsThatOtelVariablesOverride() {
        TracingSettings xray = TracingSettings.fromEnvironment(Map.of("ENABLE_ENVOY_XRAY_TRACING", "1"));
        assertTrue(xray.xray());
        assertEquals(2000, xray.xrayPort());
        assertEquals("parentbased_traceidratio", xray.properties().get("otel.traces.sampler"));
        assertEquals("0.05", xray.properties().get("otel.traces.sampler.arg"));
        assertEquals("none", xray.properties().get("otel.traces.exporter"), "no OTLP export unless an endpoint is named");
        assertTrue(xray.properties().get("otel.propagators").startsWith("xray,"));

        TracingSettings both = TracingSettings.fromEnvironment(Map.of("ENABLE_ENVOY_XRAY_TRACING", "1", "XRAY_SAMPLING_RATE", "0.5",
                "OTEL_TRACES_SAMPLER_ARG", "0.25", "ENABLE_ENVOY_JAEGER_TRACING", "true", "JAEGER_TRACER_ADDRESS", "jaeger.local",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
        assertEquals("0.25", both.properties().get("otel.traces.sampler.arg"), "OTEL_* wins over XRAY_SAMPLING_RATE");
        assertEquals("http://jaeger.local:9411/api/v2/spans", both.zipkinUrl());
        assertEquals("otlp", both.properties().get("otel.traces.exporter"));
        assertEquals("http/protobuf", both.properties().get("otel.exporter.otlp.protocol"));
    }

    @Test
    void settingsTheProxyCannotActOnAreNamed() {
        IllegalArgumentException grpc = assertThrows(IllegalArgumentException.class, () -> TracingSettings.fromEnvironment(
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")));
        assertTrue(grpc.getMessage().contains("http/protobuf"), grpc.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TracingSettings.fromEnvironment(Map.of("ENABLE_ENVOY_JAEGER_TRACING", "1")));
        assertThrows(IllegalArgumentException.class, () -> TracingSettings.fromEnvironment(
                Map.of("ENABLE_ENVOY_XRAY_TRACING", "1", "XRAY_SAMPLING_RATE", "5%")));
        assertNull(ProxyTracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                NODE, "orders-1"), "tracing stays off; traffic does not depend on it");
        assertNull(ProxyTracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_TRACES_SAMPLER", "sometimes"),
                NODE, "orders-1"));
    }

    @Test
    void everyBackendStartsAndSpansCarryTheNodeAsResource() {
        for (Map<String, String> env : java.util.List.of(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"),
                Map.of("ENABLE_ENVOY_XRAY_TRACING", "1", "ENABLE_ENVOY_JAEGER_TRACING", "1", "JAEGER_TRACER_ADDRESS", "127.0.0.1"),
                Map.of("OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_SAMPLER", "always_off"))) {
            ProxyTracing tracing = ProxyTracing.fromEnvironment(env, NODE, "orders-1");
            assertNotNull(tracing, env.toString());
            var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
            request.headers().set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            request.headers().set("tracestate", "vendor=kept");
            ExchangeTrace trace = tracing.start(request, "egress", new InetSocketAddress("127.0.0.1", 5000), false);
            trace.routed("r", "backend");
            trace.attemptStarted(request.headers(), new InetSocketAddress("127.0.0.2", 8080), 1);
            assertTrue(request.headers().get("traceparent").startsWith("00-0af7651916cd43dd8448eb211c80319c-"));
            assertNotEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", request.headers().get("traceparent"));
            assertEquals("vendor=kept", request.headers().get("tracestate"), env.toString());
            trace.attemptResponded(200);
            trace.finished(200, "-", 0, 10);
            // The next proxy reads what this one wrote: every format at once, the tracestate kept.
            var next = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x", request.headers().copy());
            ExchangeTrace second = tracing.start(next, "ingress", new InetSocketAddress("127.0.0.1", 5000), false);
            second.attemptStarted(next.headers(), new InetSocketAddress("127.0.0.2", 8080), 1);
            assertEquals("vendor=kept", next.headers().get("tracestate"), env + " " + next.headers());
            assertTrue(next.headers().get("traceparent").startsWith("00-0af7651916cd43dd8448eb211c80319c-"));
            second.finished(200, "-", 0, 0);
            tracing.shutdown(1);
        }
    }
}
