package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of an upstream connection: Netty's request encoder and a response decoder,
 * paired as {@link io.netty.handler.codec.http.HttpClientCodec} pairs them (a response to HEAD
 * has no body; after a 200 to CONNECT the bytes pass through undecoded). Plain responses (a
 * final status, a Content-Length, ordinary headers: {@link PlainHead}) are read by
 * {@link PlainHeadDecoder}, which shares the names and values an app repeats from response to
 * response; any other response is read by Netty's decoder, which here reuses the strings every
 * response repeats: the header names apps send (Content-Type, Date, Server, ...), the version,
 * the status code and the standard reason phrase.
 */
public final class UpstreamHttp1Codec extends CombinedChannelDuplexHandler<PlainHeadDecoder, HttpRequestEncoder> {
    /** The methods of the requests sent whose responses have not yet begun, in order. */
    private final ArrayDeque<HttpMethod> awaiting = new ArrayDeque<>(2);
    /** A CONNECT succeeded: the connection is a tunnel now and nothing more is decoded. */
    private boolean tunnel;

    private UpstreamHttp1Codec(HttpDecoderConfig config) {
        init(new ResponseDecoder(config), new RequestEncoder());
    }

    /** The codec every upstream HTTP/1.1 connection gets: a status line up to 8 KiB, headers up to 64 KiB. */
    public static UpstreamHttp1Codec forUpstream() {
        return new UpstreamHttp1Codec(new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(65536)
                .setMaxChunkSize(65536).setHeadersFactory(CompactHeadersFactory.HEADERS).setTrailersFactory(CompactHeadersFactory.TRAILERS));
    }

    private final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                awaiting.add(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    private final class ResponseDecoder extends PlainHeadDecoder {
        /** The last status with a reason phrase of the app's own, for the responses that repeat it. */
        private HttpResponseStatus ownStatus;

        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        Fallback newFallback(HttpDecoderConfig config) {
            return new NettyResponseDecoder(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (tunnel) {
                int readable = in.readableBytes();
                if (readable > 0) {
                    out.add(in.readBytes(readable));
                }
                return;
            }
            super.decode(ctx, in, out);
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (tunnel) {
                decode(ctx, in, out);
                return;
            }
            super.decodeLast(ctx, in, out);
        }

        /** "HTTP/1.1 ddd reason" with a final status that has a body of the given length, to a request that expects one. */
        @Override
        HttpMessage plainMessage(PlainHead head) {
            byte[] b = head.bytes();
            int end = head.firstLineEnd();
            if (end < 14 || !head.matches(0, 9, "HTTP/1.1 ") || b[12] != ' ' || b[13] == ' ' || b[end - 1] == ' '
                    || head.contentLength() < 0) {
                return null;
            }
            int code = digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
            if (code < 200 || code >= 600 || code == 204 || code == 304) {
                return null; // also any non-digit: digit() makes the code negative
            }
            for (int i = 13; i < end; i++) {
                if (b[i] < 0x20 || b[i] == 0x7f) {
                    return null;
                }
            }
            HttpMethod method = awaiting.peek();
            if (method == null || HttpMethod.HEAD.equals(method) || HttpMethod.CONNECT.equals(method)) {
                return null;
            }
            awaiting.poll();
            // Room for the one the proxy may add on the way (Connection, or a framing header).
            CompactHttpHeaders headers = CompactHeadersFactory.HEADERS.withRoomFor(head.count() + 1);
            for (int i = 0; i < head.count(); i++) {
                repeated.read(head, i);
                headers.addChecked(repeated.name(), repeated.value());
            }
            return new DefaultHttpResponse(HttpVersion.HTTP_1_1, status(code, head, end), headers);
        }

        private HttpResponseStatus status(int code, PlainHead head, int end) {
            HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
            if (head.matches(13, end, standard.reasonPhrase())) {
                return standard;
            }
            HttpResponseStatus own = ownStatus;
            if (own != null && own.code() == code && head.matches(13, end, own.reasonPhrase())) {
                return own;
            }
            own = new HttpResponseStatus(code, RepeatedHeaders.text(head.bytes(), 13, end));
            ownStatus = own;
            return own;
        }

        private static int digit(byte b) {
            return b >= '0' && b <= '9' ? b - '0' : -1000;
        }
    }

    /** Netty's decoder, for the responses that are not plain. */
    private final class NettyResponseDecoder extends HttpResponseDecoder implements PlainHeadDecoder.Fallback {
        /** The status code of the status line being decoded, for its reason phrase. */
        private int code;

        NettyResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        public void decodeNext(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }

        @Override
        public void decodeAtEnd(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decodeLast(ctx, in, out);
        }

        @Override
        public void removed(ChannelHandlerContext ctx) throws Exception {
            handlerRemoved0(ctx);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponseStatus status = ((HttpResponse) msg).status();
            if (status.code() < 200) {
                return super.isContentAlwaysEmpty(msg); // an interim answer: its request still waits for the final one
            }
            HttpMethod method = awaiting.poll(); // null if the upstream answered more than it was asked
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (status.code() == 200 && HttpMethod.CONNECT.equals(method)) {
                tunnel = true;
                awaiting.clear();
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected String splitFirstWordInitialLine(byte[] sb, int start, int length) {
            return KnownStrings.matches(sb, start, length, KnownStrings.HTTP_1_1)
                    ? KnownStrings.HTTP_1_1 : super.splitFirstWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitSecondWordInitialLine(byte[] sb, int start, int length) {
            code = -1;
            if (length == 3) {
                int c = (sb[start] - '0') * 100 + (sb[start + 1] - '0') * 10 + (sb[start + 2] - '0');
                if (c >= 100 && c < 600 && isDigit(sb[start + 1]) && isDigit(sb[start + 2])) {
                    code = c;
                    return KnownStrings.code(c);
                }
            }
            return super.splitSecondWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] sb, int start, int length) {
            if (code > 0) {
                String standard = HttpResponseStatus.valueOf(code).reasonPhrase();
                if (KnownStrings.matches(sb, start, length, standard)) {
                    return standard;
                }
            }
            return super.splitThirdWordInitialLine(sb, start, length);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownStrings.headerName(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        private static boolean isDigit(byte b) {
            return b >= '0' && b <= '9';
        }
    }

    /** The strings responses repeat, made once. */
    static final class KnownStrings {
        static final String HTTP_1_1 = "HTTP/1.1";
        private static final String[] CODES = new String[500];
        /** Names as apps commonly spell them, both capitalized and lowercase; any other spelling is decoded as usual. */
        private static final AsciiString[] NAMES = names(HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_LENGTH,
                HttpHeaderNames.DATE, HttpHeaderNames.SERVER, HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
                HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.ETAG,
                HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.VARY, HttpHeaderNames.EXPIRES, HttpHeaderNames.LOCATION,
                HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.SET_COOKIE,
                AsciiString.cached("x-request-id"), AsciiString.cached("x-powered-by"));

        private KnownStrings() {
        }

        /** The status code's digits, shared by every response with that code. */
        static String code(int code) {
            String s = CODES[code - 100];
            if (s == null) {
                s = Integer.toString(code);
                CODES[code - 100] = s; // a race makes an equal string twice, nothing worse
            }
            return s;
        }

        static AsciiString headerName(byte[] sb, int start, int length) {
            for (AsciiString name : NAMES) {
                if (name.length() == length && matches(sb, start, name)) {
                    return name;
                }
            }
            return null;
        }

        static boolean matches(byte[] sb, int start, int length, String s) {
            if (s.length() != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (sb[start + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean matches(byte[] sb, int start, AsciiString name) {
            byte[] bytes = name.array();
            int offset = name.arrayOffset();
            for (int i = 0; i < name.length(); i++) {
                if (sb[start + i] != bytes[offset + i]) {
                    return false;
                }
            }
            return true;
        }

        private static AsciiString[] names(AsciiString... lowercase) {
            AsciiString[] out = new AsciiString[lowercase.length * 2];
            for (int i = 0; i < lowercase.length; i++) {
                out[2 * i] = AsciiString.cached(capitalized(lowercase[i].toString()));
                out[2 * i + 1] = lowercase[i];
            }
            return out;
        }

        /** content-type -> Content-Type; etag -> ETag as servers write it. */
        private static String capitalized(String name) {
            if (name.equals("etag")) {
                return "ETag";
            }
            StringBuilder out = new StringBuilder(name.length());
            boolean upper = true;
            for (char c : name.toCharArray()) {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = c == '-';
            }
            return out.toString();
        }
    }
}
