package io.meshwork.proxy.http2;

import io.meshwork.proxy.http1.CompactHeadersFactory;
import io.meshwork.proxy.http1.CompactHttpHeaders;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpScheme;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * An HTTP/2 stream's frames as HTTP/1 objects and back, for the proxy's exchanges: Netty's
 * {@link Http2StreamFrameToHttpObjectCodec} with its header conversions replaced for the messages
 * a proxy carries nearly always ({@link HeadTranslation}), and two further changes on the way in.
 * The messages carry {@link CompactHttpHeaders} (the conversion otherwise builds a hash table per
 * message and another for the trailers every body ends with). And Netty's bookkeeping headers are
 * not left in them: {@code x-http2-stream-id} and {@code x-http2-scheme} would otherwise be
 * forwarded as ordinary headers to an HTTP/1.1 app or client (the stream id of the other hop means
 * nothing there; on the way out the scheme is that of the connection). Netty's own conversion
 * does the rest: 1xx responses, CONNECT, other request targets, trailers.
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
        // As Netty tells CONNECT apart: whatever the method's case.
        boolean connect = server && HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(headers.method());
        HttpMessage message = server ? request(headers, end, connect) : response(headers, end);
        CompactHttpHeaders converted = (CompactHttpHeaders) message.headers();
        if (connect || !HeadTranslation.toHttp1(id, headers, converted, server)) {
            converted.clear();
            try {
                HttpConversionUtil.addHttp2ToHttpHeaders(id, headers, converted, HttpVersion.HTTP_1_1, false, server);
            } catch (Http2Exception e) {
                throw e;
            } catch (RuntimeException e) {
                throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, e, "HTTP/2 to HTTP/1.x headers conversion error");
            }
            withoutBookkeeping(converted);
        }
        if (!end && (status == null || !bodiless(status)) && !HttpUtil.isContentLengthSet(message)) {
            message.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        out.add(message);
    }

    /**
     * Requests and final responses take {@link HeadTranslation}'s way to a header block; anything
     * else Netty's: 1xx, CONNECT, absolute and authority-form targets, a Connection header, a TE
     * with several members, an empty or userinfo-only Host, headers of another kind than the
     * codecs make. Trailers and body parts are framed as Netty frames them.
     */
    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject obj, List<Object> out) throws Exception {
        Http2Headers headers = obj instanceof HttpMessage message && !informational(message)
                ? HeadTranslation.toHttp2(message, server ? null : scheme(ctx)) : null;
        if (headers == null) {
            super.encode(ctx, obj, out);
            return;
        }
        boolean noMoreFrames = obj instanceof FullHttpMessage full && !full.content().isReadable() && full.trailingHeaders().isEmpty();
        out.add(new DefaultHttp2HeadersFrame(headers, noMoreFrames));
        if (obj instanceof LastHttpContent last) {
            // As Netty ends a stream: the body's last part, an empty one when a streamed body ends without trailers, then trailers.
            boolean trailers = !last.trailingHeaders().isEmpty();
            if (last.content().isReadable() || !(last instanceof FullHttpMessage) && !trailers) {
                out.add(new DefaultHttp2DataFrame(last.content().retain(), !trailers));
            }
            if (trailers) {
                out.add(new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), true), true));
            }
        } else if (obj instanceof HttpContent content) {
            out.add(new DefaultHttp2DataFrame(content.content().retain(), false));
        }
    }

    /** 1xx goes Netty's way: a header block that does not end the stream (and 101 as Netty makes it). */
    private static boolean informational(HttpMessage message) {
        return message instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    /** The scheme of the connection a request stream is on: https when TLS carries it. */
    private static AsciiString scheme(ChannelHandlerContext ctx) {
        Channel connection = ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
        return connection.pipeline().get(SslHandler.class) != null ? HttpScheme.HTTPS.name() : HttpScheme.HTTP.name();
    }

    private static HttpMessage request(Http2Headers headers, boolean whole, boolean connect) {
        CharSequence method = headers.method();
        if (method == null) {
            throw new IllegalArgumentException("method header cannot be null in conversion to HTTP/1.x");
        }
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
