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
import io.netty.util.AsciiString;

/**
 * How a message changes as it crosses the proxy: hop-by-hop headers stay on their hop, message
 * framing is set for the next hop's protocol (HTTP/2 frames have no Transfer-Encoding), and
 * every request gets an {@code x-request-id} if it has none. Messages are changed in place: the
 * proxy forwards the very objects it decoded, which saves a copy of every header per hop.
 */
final class ForwardedHeaders {
    private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            AsciiString.cached("proxy-connection"), HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.EXPECT};

    private ForwardedHeaders() {
    }

    /** The head of a message that came whole: the same headers, without the body, which goes separately. */
    static HttpRequest head(HttpRequest request) {
        return request instanceof FullHttpMessage
                ? new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(), request.headers()) : request;
    }

    static HttpResponse head(HttpResponse response) {
        return response instanceof FullHttpMessage
                ? new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers()) : response;
    }

    /**
     * Prepares {@code request} to go upstream: the path and Host to send (null keeps the
     * request's), headers and framing for the upstream's protocol.
     */
    static HttpRequest upstreamRequest(HttpRequest request, String path, String authority, boolean upstreamHttp2) {
        HttpHeaders h = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean te = upstreamHttp2 && h.containsValue(HttpHeaderNames.TE, "trailers", true);
        stripHopByHop(h);
        if (te) {
            h.set(HttpHeaderNames.TE, "trailers");
        }
        if (path != null) {
            request.setUri(path);
        }
        if (authority != null) {
            h.set(HttpHeaderNames.HOST, authority);
        }
        if (!h.contains(REQUEST_ID)) {
            h.set(REQUEST_ID, RequestIds.next());
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        frame(request, chunked, upstreamHttp2);
        return request;
    }

    /** Prepares {@code response} to go downstream to a client speaking {@code clientVersion}. */
    static HttpResponse downstreamResponse(HttpResponse response, boolean downstreamHttp2, boolean keepAlive,
                                           HttpVersion clientVersion) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        stripHopByHop(response.headers());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        frame(response, chunked, downstreamHttp2);
        if (!downstreamHttp2 && !keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else if (!downstreamHttp2 && HttpVersion.HTTP_1_0.equals(clientVersion)) {
            response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        }
        return response;
    }

    /**
     * HTTP/1.1 needs a Content-Length or chunked framing for a body; a message from HTTP/2 may
     * carry neither (its end is the END_STREAM flag). A complete message gets a length, one
     * still streaming gets chunked.
     */
    private static void frame(HttpMessage message, boolean wasChunked, boolean nextHopHttp2) {
        if (nextHopHttp2 || HttpUtil.isContentLengthSet(message)) {
            return;
        }
        if (message instanceof FullHttpMessage full) {
            HttpUtil.setContentLength(message, full.content().readableBytes());
        } else if (wasChunked || mayHaveBody(message)) {
            message.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
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
        if (h.isEmpty()) {
            return;
        }
        String connection = h.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String token : connection.split(",")) {
                h.remove(token.trim());
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            h.remove(name);
        }
    }
}
