package io.meshwork.proxy.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Trace backends for tests, each a few lines over the JDK: an OTLP/HTTP receiver
 * ({@code POST /v1/traces}, protobuf), a Zipkin v2 receiver ({@code POST /api/v2/spans}, JSON)
 * and an X-Ray daemon (UDP datagrams: a header line, then a segment). Each turns what it got
 * into {@link Received} spans.
 */
public final class TraceReceivers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceReceivers() {
    }

    /**
     * One span as a backend saw it (ids as lower-case hex; X-Ray's trace id in its own form).
     * {@code kind} is SERVER or CLIENT; {@code raw} is the datagram or JSON it came in.
     */
    public record Received(String traceId, String spanId, String parentId, String kind, String name,
                           Map<String, String> attributes, Map<String, String> resource, String raw) {
        public String attribute(String key) {
            return attributes.get(key);
        }
    }

    /** What every receiver offers: the spans so far, and a wait for the ones a test expects. */
    public abstract static class Receiver implements AutoCloseable {
        protected final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();
        protected final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

        public List<Received> spans() {
            return List.copyOf(spans);
        }

        /** What came in, one entry per request or datagram, undecoded (JSON, or a datagram's text). */
        public List<String> raw() {
            return List.copyOf(requests);
        }

        /** Waits until {@code count} spans match, and returns those that match. */
        public List<Received> await(Predicate<Received> match, int count, Duration timeout) {
            Instant deadline = Instant.now().plus(timeout);
            while (true) {
                List<Received> found = spans.stream().filter(match).toList();
                if (found.size() >= count || Instant.now().isAfter(deadline)) {
                    return found;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return found;
                }
            }
        }

        public void clear() {
            spans.clear();
            requests.clear();
        }
    }

    /** An OTLP/HTTP receiver on 127.0.0.1, as an OpenTelemetry Collector's port 4318. */
    public static final class Otlp extends Receiver {
        private final HttpServer server;

        public Otlp() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/traces", this::handle);
            server.start();
        }

        /** The value for OTEL_EXPORTER_OTLP_ENDPOINT. */
        public String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = body(exchange);
                if (!"POST".equals(exchange.getRequestMethod())
                        || !"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                    exchange.sendResponseHeaders(415, -1);
                    return;
                }
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                requests.add(request.toString());
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    Map<String, String> resource = map(rs.getResource().getAttributesList());
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (var span : ss.getSpansList()) {
                            HexFormat hex = HexFormat.of();
                            spans.add(new Received(hex.formatHex(span.getTraceId().toByteArray()), hex.formatHex(span.getSpanId().toByteArray()),
                                    span.getParentSpanId().isEmpty() ? null : hex.formatHex(span.getParentSpanId().toByteArray()),
                                    span.getKind().name().replace("SPAN_KIND_", ""), span.getName(), map(span.getAttributesList()),
                                    resource, span.toString()));
                        }
                    }
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        }

        private static Map<String, String> map(List<KeyValue> attributes) {
            Map<String, String> out = new LinkedHashMap<>();
            for (KeyValue kv : attributes) {
                AnyValue v = kv.getValue();
                out.put(kv.getKey(), switch (v.getValueCase()) {
                    case STRING_VALUE -> v.getStringValue();
                    case INT_VALUE -> Long.toString(v.getIntValue());
                    case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                    case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                    default -> v.toString();
                });
            }
            return out;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A Zipkin v2 receiver on 127.0.0.1 (what App Mesh's "Jaeger" switch sent to). */
    public static final class Zipkin extends Receiver {
        private final HttpServer server;

        public Zipkin() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/v2/spans", this::handle);
            server.start();
        }

        public int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String body = new String(body(exchange), StandardCharsets.UTF_8);
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                requests.add(body);
                for (JsonNode span : JSON.readTree(body)) {
                    Map<String, String> tags = new LinkedHashMap<>();
                    span.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                    spans.add(new Received(span.path("traceId").asText(), span.path("id").asText(),
                            span.hasNonNull("parentId") ? span.get("parentId").asText() : null, span.path("kind").asText(),
                            span.path("name").asText(), tags, Map.of("service.name", span.path("localEndpoint").path("serviceName").asText()),
                            span.toString()));
                }
                exchange.sendResponseHeaders(202, -1);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** An X-Ray daemon: a UDP socket on 127.0.0.1 taking {@code {"format":"json","version":1}\n<segment>}. */
    public static final class XRay extends Receiver {
        public static final String HEADER = "{\"format\":\"json\",\"version\":1}";
        private final DatagramSocket socket;
        private final Thread reader;
        /** Datagrams that did not start with the header line. */
        private final ConcurrentLinkedQueue<String> malformed = new ConcurrentLinkedQueue<>();

        public XRay() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            reader = new Thread(this::read, "xray-daemon");
            reader.setDaemon(true);
            reader.start();
        }

        public int port() {
            return socket.getLocalPort();
        }

        public List<String> malformed() {
            return List.copyOf(malformed);
        }

        private void read() {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (IOException closed) {
                    return;
                }
                String datagram = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                requests.add(datagram);
                int newline = datagram.indexOf('\n');
                if (newline < 0 || !datagram.substring(0, newline).equals(HEADER)) {
                    malformed.add(datagram);
                    continue;
                }
                try {
                    JsonNode segment = JSON.readTree(datagram.substring(newline + 1));
                    Map<String, String> annotations = new LinkedHashMap<>();
                    segment.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
                    annotations.put("http.request.method", segment.path("http").path("request").path("method").asText(null));
                    annotations.put("http.request.url", segment.path("http").path("request").path("url").asText(null));
                    annotations.put("http.response.status", segment.path("http").path("response").path("status").asText(null));
                    annotations.put("start_time", segment.path("start_time").asText());
                    annotations.put("end_time", segment.path("end_time").asText());
                    Map<String, String> resource = new LinkedHashMap<>();
                    segment.path("aws").path("app_mesh").fields().forEachRemaining(e -> resource.put(e.getKey(), e.getValue().asText()));
                    String kind = segment.path("annotations").path("span_kind").asText("").toUpperCase(java.util.Locale.ROOT);
                    spans.add(new Received(segment.path("trace_id").asText(), segment.path("id").asText(),
                            segment.hasNonNull("parent_id") ? segment.get("parent_id").asText() : null, kind,
                            segment.path("name").asText(), annotations, resource, datagram));
                } catch (IOException e) {
                    malformed.add(datagram);
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        return in.readAllBytes();
    }
}
