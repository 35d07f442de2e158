package io.meshwork.proxy.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.util.UUID;

/**
 * How headers change as a message crosses the proxy: hop-by-hop headers stay on their hop,
 * message framing is set for the next hop's protocol (HTTP/2 frames have no Transfer-Encoding),
 * and every request gets an {@code x-request-id} if it has none.
 */
final class ForwardedHeaders {
    private static final String[] HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "upgrade", "te", "trailer", "proxy-authenticate", "expect"};

    private ForwardedHeaders() {
    }

    /** The request as sent upstream (a copy: the original keeps what the downstream hop needs). */
    static HttpRequest upstreamRequest(HttpRequest in, String path, String authority, boolean upstreamHttp2) {
        DefaultHttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), path == null ? in.uri() : path,
                in.headers().copy());
        HttpHeaders h = out.headers();
        boolean te = "trailers".equalsIgnoreCase(h.get(HttpHeaderNames.TE));
        stripHopByHop(h);
        if (te && upstreamHttp2) {
            h.set(HttpHeaderNames.TE, "trailers");
        }
        if (authority != null) {
            h.set(HttpHeaderNames.HOST, authority);
        }
        if (!h.contains("x-request-id")) {
            h.set("x-request-id", UUID.randomUUID().toString());
        }
        frame(in, out, upstreamHttp2);
        return out;
    }

    /** The response as sent downstream. */
    static HttpResponse downstreamResponse(HttpResponse in, boolean downstreamHttp2, boolean keepAlive) {
        DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, in.status(), in.headers().copy());
        stripHopByHop(out.headers());
        frame(in, out, downstreamHttp2);
        if (!downstreamHttp2) {
            HttpUtil.setKeepAlive(out, keepAlive);
        }
        return out;
    }

    /**
     * HTTP/1.1 needs a Content-Length or chunked framing for a body; a message from HTTP/2 may
     * carry neither (its end is the END_STREAM flag). A complete message gets a length, one
     * still streaming gets chunked.
     */
    private static void frame(HttpMessage in, HttpMessage out, boolean nextHopHttp2) {
        if (nextHopHttp2) {
            return;
        }
        if (in instanceof FullHttpMessage full) {
            if (!HttpUtil.isContentLengthSet(out)) {
                HttpUtil.setContentLength(out, full.content().readableBytes());
            }
        } else if (!HttpUtil.isContentLengthSet(out) && HttpUtil.isTransferEncodingChunked(in)) {
            HttpUtil.setTransferEncodingChunked(out, true);
        } else if (!HttpUtil.isContentLengthSet(out) && mayHaveBody(in)) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
    }

    private static boolean mayHaveBody(HttpMessage m) {
        if (m instanceof HttpResponse r) {
            int code = r.status().code();
            return code >= 200 && code != 204 && code != 304;
        }
        return true;
    }

    private static void stripHopByHop(HttpHeaders h) {
        String connection = h.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String token : connection.split(",")) {
                h.remove(token.trim());
            }
        }
        for (String name : HOP_BY_HOP) {
            h.remove(name);
        }
    }
}
