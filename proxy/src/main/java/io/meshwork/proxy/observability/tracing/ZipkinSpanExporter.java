package io.meshwork.proxy.observability.tracing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Spans as Zipkin v2 JSON, POSTed to {@code /api/v2/spans}: what App Mesh's "Jaeger" switch sent
 * (Envoy's Zipkin tracer), and what Zipkin, Jaeger's Zipkin port (9411) and an OpenTelemetry
 * Collector's zipkin receiver take. A few dozen lines over the JDK's HTTP client instead of
 * opentelemetry-exporter-zipkin, which is not served here and would bring zipkin-reporter and OkHttp.
 */
final class ZipkinSpanExporter implements SpanExporter {
    private static final Logger LOG = LoggerFactory.getLogger(ZipkinSpanExporter.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final URI endpoint;
    private final HttpClient client;
    private volatile boolean warned;

    private ZipkinSpanExporter(URI endpoint) {
        this.endpoint = endpoint;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    static ZipkinSpanExporter create(String endpoint) {
        return new ZipkinSpanExporter(URI.create(endpoint));
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        byte[] body;
        try {
            body = json(spans);
        } catch (IOException e) {
            return CompletableResultCode.ofFailure();
        }
        CompletableResultCode result = new CompletableResultCode();
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                result.succeed();
                return;
            }
            if (!warned) {
                warned = true;
                LOG.warn("Zipkin spans cannot be sent to {}: {}", endpoint, error != null ? error.toString() : "HTTP " + response.statusCode());
            }
            result.fail();
        });
        return result;
    }

    static byte[] json(Collection<SpanData> spans) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 * spans.size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            for (SpanData span : spans) {
                span(json, span);
            }
            json.writeEndArray();
        }
        return out.toByteArray();
    }

    private static void span(JsonGenerator json, SpanData span) throws IOException {
        json.writeStartObject();
        json.writeStringField("traceId", span.getTraceId());
        json.writeStringField("id", span.getSpanId());
        SpanContext parent = span.getParentSpanContext();
        if (parent.isValid()) {
            json.writeStringField("parentId", parent.getSpanId());
        }
        if (span.getKind() == SpanKind.SERVER || span.getKind() == SpanKind.CLIENT) {
            json.writeStringField("kind", span.getKind().name());
        }
        json.writeStringField("name", span.getName());
        long startMicros = span.getStartEpochNanos() / 1000;
        json.writeNumberField("timestamp", startMicros);
        json.writeNumberField("duration", Math.max(1, span.getEndEpochNanos() / 1000 - startMicros));
        json.writeObjectFieldStart("localEndpoint");
        String service = span.getResource().getAttribute(ProxyTracing.SERVICE_NAME);
        json.writeStringField("serviceName", service == null ? "meshwork-proxy" : service);
        json.writeEndObject();
        Attributes a = span.getAttributes();
        String peer = a.get(ExchangeTrace.PEER_ADDRESS);
        if (peer != null) {
            json.writeObjectFieldStart("remoteEndpoint");
            json.writeStringField(peer.contains(":") ? "ipv6" : "ipv4", peer);
            Long port = a.get(ExchangeTrace.PEER_PORT);
            if (port != null) {
                json.writeNumberField("port", port);
            }
            json.writeEndObject();
        }
        json.writeObjectFieldStart("tags");
        for (Map.Entry<AttributeKey<?>, Object> e : a.asMap().entrySet()) {
            json.writeStringField(e.getKey().getKey(), String.valueOf(e.getValue()));
        }
        span.getResource().getAttributes().forEach((key, value) -> {
            if (key.getKey().startsWith("appmesh.")) {
                try {
                    json.writeStringField(key.getKey(), String.valueOf(value));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        if (span.getStatus().getStatusCode() == StatusCode.ERROR) {
            json.writeStringField("otel.status_code", "ERROR");
            String description = span.getStatus().getDescription();
            json.writeStringField("error", description == null || description.isEmpty() ? "true" : description);
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
