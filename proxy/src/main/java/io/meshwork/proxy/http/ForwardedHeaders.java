package io.meshwork.proxy.http;

import io.meshwork.proxy.http1.CompactHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
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

    /** Headers a Connection header may not make hop-by-hop. */
    private static final java.util.Set<String> END_TO_END = java.util.Set.of("content-length", "host");

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
    static HttpRequest upstreamRequest(HttpRequest request, String path, String authority, boolean downstreamHttp2,
                                       boolean upstreamHttp2) {
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
            h.set(REQUEST_ID, RequestId.random());
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        frameRequest(request, chunked, downstreamHttp2, upstreamHttp2);
        return request;
    }

    /** Prepares {@code response} to go downstream to a client speaking {@code clientVersion}. */
    static HttpResponse downstreamResponse(HttpResponse response, boolean downstreamHttp2, boolean keepAlive,
                                           HttpVersion clientVersion) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        stripHopByHop(response.headers());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        frameResponse(response, chunked, downstreamHttp2);
        if (!downstreamHttp2 && !keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else if (!downstreamHttp2 && HttpVersion.HTTP_1_0.equals(clientVersion)) {
            response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        }
        return response;
    }

    /**
     * An HTTP/1.1 request has a body only if it says so (RFC 9112 6.3: no Content-Length and no
     * Transfer-Encoding means none). So a bodiless request goes on with neither header: sending
     * it chunked with an empty body, as before, left "0\r\n\r\n" behind for apps that do not
     * read chunked requests (Python's http.server), which took it for their next request line.
     * A request from HTTP/2 may carry neither header and still have a body (its end is the
     * END_STREAM flag): a complete one gets its length, one still streaming goes chunked.
     */
    private static void frameRequest(HttpRequest request, boolean wasChunked, boolean fromHttp2, boolean toHttp2) {
        if (toHttp2 || HttpUtil.isContentLengthSet(request)) {
            return;
        }
        if (request instanceof FullHttpMessage full) {
            if (full.content().isReadable()) {
                HttpUtil.setContentLength(request, full.content().readableBytes());
            }
        } else if (wasChunked || fromHttp2) {
            request.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
    }

    /**
     * A response without a length is read until its connection closes; for the next hop a
     * complete one gets its length, one still streaming goes chunked (HTTP/2 needs neither).
     */
    private static void frameResponse(HttpResponse response, boolean wasChunked, boolean toHttp2) {
        if (toHttp2 || HttpUtil.isContentLengthSet(response)) {
            return;
        }
        if (response instanceof FullHttpMessage full) {
            HttpUtil.setContentLength(response, full.content().readableBytes());
        } else if (wasChunked || mayHaveBody(response)) {
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
    }

    private static boolean mayHaveBody(HttpResponse response) {
        int code = response.status().code();
        return code >= 200 && code != 204 && code != 304;
    }

    private static void stripHopByHop(HttpHeaders h) {
        if (h.isEmpty()) {
            return;
        }
        String connection = h.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            int start = 0;
            while (start <= connection.length()) {
                int comma = connection.indexOf(',', start);
                int end = comma < 0 ? connection.length() : comma;
                removeNamed(h, connection, start, end);
                start = end + 1;
            }
        }
        if (h instanceof CompactHttpHeaders compact) {
            compact.removeAll(HOP_BY_HOP); // one pass, not a scan per name
            return;
        }
        for (AsciiString name : HOP_BY_HOP) {
            h.remove(name);
        }
    }

    /** Removes the header a Connection token names (between {@code start} and {@code end}), unless it must stay. */
    private static void removeNamed(HttpHeaders h, String connection, int start, int end) {
        while (start < end && connection.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && connection.charAt(end - 1) <= ' ') {
            end--;
        }
        if (start == end) {
            return;
        }
        // The usual tokens, without a substring: keep-alive is hop-by-hop anyway, close names a header like any token.
        if (isToken(connection, start, end, "keep-alive")) {
            return;
        }
        if (isToken(connection, start, end, "close")) {
            h.remove(HttpHeaderValues.CLOSE);
            return;
        }
        String name = connection.substring(start, end);
        // A message's framing and its Host are end to end whatever Connection claims: a request
        // that names Content-Length there would otherwise reach the app without its length,
        // and its body would be read as a second, smuggled request.
        if (!END_TO_END.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            h.remove(name);
        }
    }

    private static boolean isToken(String s, int start, int end, String token) {
        return end - start == token.length() && s.regionMatches(true, start, token, 0, token.length());
    }
}
