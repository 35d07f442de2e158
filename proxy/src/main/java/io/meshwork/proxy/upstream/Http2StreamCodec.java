package io.meshwork.proxy.upstream;

import io.meshwork.proxy.http1.CompactHeadersFactory;
import io.meshwork.proxy.http1.CompactHttpHeaders;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;

import java.util.List;

/**
 * An HTTP/2 stream's frames as HTTP/1 objects and back, for the proxy's exchanges: Netty's
 * {@link Http2StreamFrameToHttpObjectCodec}, with two changes on the way in. The messages carry
 * {@link CompactHttpHeaders} (the conversion otherwise builds a hash table per message and another
 * for the trailers every body ends with). And Netty's bookkeeping headers are not left in them:
 * {@code x-http2-stream-id} and {@code x-http2-scheme} would otherwise be forwarded as ordinary
 * headers to an HTTP/1.1 app or client (the stream id of the other hop means nothing there; on the
 * way out the scheme is set from the connection, as before). Netty's own conversion does the rest,
 * so pseudo-headers, cookies and validation are handled as before; 1xx responses take Netty's path.
 */
@ChannelHandler.Sharable
public final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    private final boolean server;

    /** {@code server}: the stream carries requests in (downstream); otherwise responses (upstream). */
    public Http2StreamCodec(boolean server) {
        super(server, true);
        this.server = server;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2DataFrame data) {
            out.add(data.isEndStream() ? new DefaultLastHttpContent(data.content().retain(), CompactHeadersFactory.TRAILERS)
                    : new DefaultHttpContent(data.content().retain()));
            return;
        }
        if (!(frame instanceof Http2HeadersFrame headersFrame)) {
            return;
        }
        Http2Headers headers = headersFrame.headers();
        CharSequence status = headers.status();
        if (status != null && status.length() == 3 && status.charAt(0) == '1' && !HttpResponseStatus.SWITCHING_PROTOCOLS.codeAsText().contentEquals(status)) {
            int before = out.size();
            super.decode(ctx, frame, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpMessage message) {
                    withoutBookkeeping(message.headers());
                }
            }
            return;
        }
        int id = headersFrame.stream() == null ? 0 : headersFrame.stream().id();
        boolean end = headersFrame.isEndStream();
        if (end && headers.method() == null && status == null) {
            LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, CompactHeadersFactory.TRAILERS);
            HttpConversionUtil.addHttp2ToHttpHeaders(id, headers, trailers.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
            out.add(trailers);
            return;
        }
        HttpMessage message = server ? request(headers, end) : response(headers, end);
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(id, headers, message.headers(), HttpVersion.HTTP_1_1, false, server);
        } catch (Http2Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, e, "HTTP/2 to HTTP/1.x headers conversion error");
        }
        withoutBookkeeping(message.headers());
        if (!end && (status == null || !bodiless(status)) && !HttpUtil.isContentLengthSet(message)) {
            message.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        out.add(message);
    }

    private static HttpMessage request(Http2Headers headers, boolean whole) {
        CharSequence method = headers.method();
        if (method == null) {
            throw new IllegalArgumentException("method header cannot be null in conversion to HTTP/1.x");
        }
        boolean connect = HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(method);
        CharSequence target = connect ? headers.authority() : headers.path();
        if (target == null) {
            throw new IllegalArgumentException((connect ? "authority" : "path") + " header cannot be null in the conversion to HTTP/1.x");
        }
        HttpMethod m = HttpMethod.valueOf(method.toString());
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        return whole ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, target.toString(), Unpooled.EMPTY_BUFFER, h,
                CompactHeadersFactory.TRAILERS.newHeaders()) : new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, target.toString(), h);
    }

    private static HttpMessage response(Http2Headers headers, boolean whole) throws Http2Exception {
        HttpResponseStatus status = HttpConversionUtil.parseStatus(headers.status());
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        return whole ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER, h,
                CompactHeadersFactory.TRAILERS.newHeaders()) : new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, h);
    }

    private static void withoutBookkeeping(HttpHeaders headers) {
        headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        headers.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
    }

    /** 204 and 304 never have a body. */
    private static boolean bodiless(CharSequence status) {
        return status.length() == 3 && (status.charAt(0) == '2' || status.charAt(0) == '3') && status.charAt(1) == '0'
                && status.charAt(2) == '4';
    }
}
