package io.meshwork.proxy.observability.tracing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The spans of one request: the SERVER span for what the proxy received, and a CLIENT span for
 * each upstream attempt (a retry is a span of its own), each attempt's request carrying its own
 * span's context to the next hop. Attribute names follow OpenTelemetry's HTTP conventions; the
 * mesh's own are under {@code appmesh.}. One exchange's calls all come from its event loop.
 */
public final class ExchangeTrace {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    static final AttributeKey<Long> REQUEST_SIZE = AttributeKey.longKey("http.request.body.size");
    static final AttributeKey<Long> RESPONSE_SIZE = AttributeKey.longKey("http.response.body.size");
    static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("appmesh.direction");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("appmesh.route");
    static final AttributeKey<String> TARGET = AttributeKey.stringKey("appmesh.target");
    static final AttributeKey<String> RESPONSE_FLAGS = AttributeKey.stringKey("appmesh.response_flags");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("appmesh.request_id");

    private final ProxyTracing tracing;
    private final Context context;
    private final Span server;
    private final String method;
    private String target;
    private Span client;
    private int clientStatus;

    ExchangeTrace(ProxyTracing tracing, Context context, Span server, String method) {
        this.tracing = tracing;
        this.context = context;
        this.server = server;
        this.method = method;
    }

    static void describeServer(Span span, HttpRequest request, String direction, String host, SocketAddress peer, boolean http2) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        span.setAttribute(METHOD, request.method().name());
        span.setAttribute(URL_SCHEME, "http");
        span.setAttribute(URL_PATH, query < 0 ? uri : uri.substring(0, query));
        if (query >= 0) {
            span.setAttribute(URL_QUERY, uri.substring(query + 1));
        }
        if (host != null) {
            span.setAttribute(SERVER_ADDRESS, host);
        }
        span.setAttribute(PROTOCOL_VERSION, http2 ? "2" : request.protocolVersion().minorVersion() == 0 ? "1.0" : "1.1");
        span.setAttribute(DIRECTION, direction);
        if (peer instanceof InetSocketAddress address && address.getAddress() != null) {
            span.setAttribute(CLIENT_ADDRESS, address.getAddress().getHostAddress());
        }
        String agent = request.headers().get(HttpHeaderNames.USER_AGENT);
        if (agent != null) {
            span.setAttribute(USER_AGENT, agent);
        }
    }

    /** Where the request goes: the route taken and its target (a virtual node, {@code local_app}). */
    public void routed(String route, String target) {
        this.target = target;
        if (server.isRecording()) {
            if (route != null) {
                server.setAttribute(ROUTE, route);
            }
            server.setAttribute(TARGET, target);
        }
    }

    /**
     * An attempt starts: its CLIENT span, and {@code upstreamHeaders} (the request about to go to
     * {@code upstream}) carry its context, replacing the context the caller sent.
     */
    public void attemptStarted(HttpHeaders upstreamHeaders, InetSocketAddress upstream, int attempt) {
        attemptEnded();
        clientStatus = 0;
        Span span = tracing.tracer.spanBuilder(target == null ? method : method + " " + target).setSpanKind(SpanKind.CLIENT)
                .setParent(context).startSpan();
        if (span.isRecording()) {
            span.setAttribute(METHOD, method);
            if (upstream != null) {
                String address = upstream.getAddress() != null ? upstream.getAddress().getHostAddress() : upstream.getHostString();
                span.setAttribute(SERVER_ADDRESS, address);
                span.setAttribute(SERVER_PORT, (long) upstream.getPort());
                span.setAttribute(PEER_ADDRESS, address);
                span.setAttribute(PEER_PORT, (long) upstream.getPort());
            }
            if (target != null) {
                span.setAttribute(TARGET, target);
            }
            if (attempt > 1) {
                span.setAttribute(RESEND_COUNT, (long) (attempt - 1));
            }
            String requestId = upstreamHeaders.get("x-request-id");
            if (requestId != null) {
                span.setAttribute(REQUEST_ID, requestId);
            }
        }
        client = span;
        for (String field : tracing.fields) {
            upstreamHeaders.remove(field);
        }
        try {
            tracing.propagator.inject(context.with(span), upstreamHeaders, NettyHeaders.INSTANCE);
        } catch (RuntimeException | LinkageError e) {
            tracing.failed(e);
        }
    }

    /** The attempt's instance answered with {@code status} (passed on, or retried). */
    public void attemptResponded(int status) {
        clientStatus = status;
    }

    /** The attempt failed without an answer ({@code reason}: connect failure, reset, timeout...). */
    public void attemptFailed(String reason) {
        Span span = client;
        if (span != null && span.isRecording()) {
            span.setAttribute(ERROR_TYPE, reason);
            span.setStatus(StatusCode.ERROR, reason);
        }
        attemptEnded();
    }

    /** The attempt in flight (if any) is over. */
    public void attemptEnded() {
        Span span = client;
        if (span == null) {
            return;
        }
        client = null;
        if (span.isRecording() && clientStatus > 0) {
            span.setAttribute(STATUS, (long) clientStatus);
            if (clientStatus >= 400) {
                span.setAttribute(ERROR_TYPE, Integer.toString(clientStatus));
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    /** The exchange is over: {@code status} went to the caller (0 if none did), with Envoy's response {@code flags}. */
    public void finished(int status, String flags, long bytesIn, long bytesOut) {
        attemptEnded();
        if (server.isRecording()) {
            if (status > 0) {
                server.setAttribute(STATUS, (long) status);
            }
            server.setAttribute(REQUEST_SIZE, bytesIn);
            server.setAttribute(RESPONSE_SIZE, bytesOut);
            if (flags != null && !flags.equals("-")) {
                server.setAttribute(RESPONSE_FLAGS, flags);
            }
            if (status >= 500 || status == 0) {
                server.setAttribute(ERROR_TYPE, status == 0 ? flags : Integer.toString(status));
                server.setStatus(StatusCode.ERROR);
            }
        }
        server.end();
    }
}
