package io.meshwork.proxy.observability.tracing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Spans as X-Ray segment documents, one UDP datagram each to the X-Ray daemon, as App Mesh's
 * Envoy sent them: the header {@code {"format":"json","version":1}}, a newline, the segment.
 * Every span (server or client) is a segment named after the node ({@code XRAY_SEGMENT_NAME},
 * else {@code mesh/node}) linked to its parent by {@code parent_id}.
 */
final class XRaySegmentExporter implements SpanExporter {
    private static final Logger LOG = LoggerFactory.getLogger(XRaySegmentExporter.class);
    static final byte[] HEADER = "{\"format\":\"json\",\"version\":1}\n".getBytes(StandardCharsets.US_ASCII);
    private static final JsonFactory JSON = new JsonFactory();
    /** The daemon takes datagrams up to 64 KB. */
    private static final int MAX_DATAGRAM = 64 * 1024;

    private final InetSocketAddress daemon;
    private final String name;
    private final DatagramSocket socket;
    private volatile boolean warned;

    XRaySegmentExporter(InetSocketAddress daemon, String name) {
        this.daemon = daemon;
        this.name = name;
        try {
            this.socket = new DatagramSocket();
        } catch (SocketException e) {
            throw new IllegalStateException("cannot open a UDP socket for X-Ray: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        boolean ok = true;
        for (SpanData span : spans) {
            try {
                byte[] datagram = datagram(span, name);
                if (datagram.length > MAX_DATAGRAM) {
                    continue;
                }
                socket.send(new DatagramPacket(datagram, datagram.length, daemon));
            } catch (IOException e) {
                ok = false;
                if (!warned) {
                    warned = true;
                    LOG.warn("X-Ray segments cannot be sent to {}: {}", daemon, e.getMessage());
                }
            }
        }
        return ok ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
    }

    static byte[] datagram(SpanData span, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.write(HEADER);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            segment(json, span, name);
        }
        return out.toByteArray();
    }

    private static void segment(JsonGenerator json, SpanData span, String name) throws IOException {
        Attributes a = span.getAttributes();
        json.writeStartObject();
        json.writeStringField("name", name);
        json.writeStringField("id", span.getSpanId());
        json.writeStringField("trace_id", XRayIds.traceId(span.getTraceId()));
        SpanContext parent = span.getParentSpanContext();
        if (parent.isValid()) {
            json.writeStringField("parent_id", parent.getSpanId());
        }
        json.writeNumberField("start_time", span.getStartEpochNanos() / 1e9);
        json.writeNumberField("end_time", span.getEndEpochNanos() / 1e9);
        json.writeStringField("origin", "AWS::AppMesh::Proxy");
        Long status = a.get(ExchangeTrace.STATUS);
        json.writeObjectFieldStart("http");
        json.writeObjectFieldStart("request");
        String method = a.get(ExchangeTrace.METHOD);
        if (method != null) {
            json.writeStringField("method", method);
        }
        String url = url(span, a);
        if (url != null) {
            json.writeStringField("url", url);
        }
        String client = a.get(ExchangeTrace.CLIENT_ADDRESS);
        if (client != null) {
            json.writeStringField("client_ip", client);
        }
        String agent = a.get(ExchangeTrace.USER_AGENT);
        if (agent != null) {
            json.writeStringField("user_agent", agent);
        }
        json.writeEndObject();
        if (status != null) {
            json.writeObjectFieldStart("response");
            json.writeNumberField("status", status);
            Long size = a.get(ExchangeTrace.RESPONSE_SIZE);
            if (size != null) {
                json.writeNumberField("content_length", size);
            }
            json.writeEndObject();
        }
        json.writeEndObject();
        boolean failed = span.getStatus().getStatusCode() == StatusCode.ERROR;
        long code = status == null ? 0 : status;
        // X-Ray: fault for 5xx (and failures without an answer), error for 4xx, throttle for 429.
        if (code >= 500 || failed && code < 400) {
            json.writeBooleanField("fault", true);
        } else if (code >= 400) {
            json.writeBooleanField("error", true);
            if (code == 429) {
                json.writeBooleanField("throttle", true);
            }
        }
        json.writeObjectFieldStart("annotations");
        json.writeStringField("span_kind", span.getKind() == SpanKind.CLIENT ? "client" : "server");
        annotation(json, "direction", a.get(ExchangeTrace.DIRECTION));
        annotation(json, "target", a.get(ExchangeTrace.TARGET));
        annotation(json, "route", a.get(ExchangeTrace.ROUTE));
        annotation(json, "response_flags", a.get(ExchangeTrace.RESPONSE_FLAGS));
        annotation(json, "request_id", a.get(ExchangeTrace.REQUEST_ID));
        json.writeEndObject();
        Attributes resource = span.getResource().getAttributes();
        String mesh = resource.get(ProxyTracing.MESH);
        if (mesh != null) {
            json.writeObjectFieldStart("aws");
            json.writeObjectFieldStart("app_mesh");
            json.writeStringField("mesh_name", mesh);
            String node = resource.get(ProxyTracing.VIRTUAL_NODE);
            String gateway = resource.get(ProxyTracing.VIRTUAL_GATEWAY);
            if (node != null) {
                json.writeStringField("virtual_node_name", node);
            }
            if (gateway != null) {
                json.writeStringField("virtual_gateway_name", gateway);
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static String url(SpanData span, Attributes a) {
        String host = a.get(ExchangeTrace.SERVER_ADDRESS);
        if (host == null) {
            return null;
        }
        if (span.getKind() == SpanKind.CLIENT) {
            Long port = a.get(ExchangeTrace.SERVER_PORT);
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + (port == null ? "" : ":" + port);
        }
        String path = a.get(ExchangeTrace.URL_PATH);
        String query = a.get(ExchangeTrace.URL_QUERY);
        return "http://" + host + (path == null ? "" : path) + (query == null ? "" : "?" + query);
    }

    private static void annotation(JsonGenerator json, String key, String value) throws IOException {
        if (value != null) {
            json.writeStringField(key, value);
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        socket.close();
        return CompletableResultCode.ofSuccess();
    }
}
