package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * The HTTP/1.1 codec of a downstream (client) connection: what Netty's
 * {@link io.netty.handler.codec.http.HttpServerCodec} does, with plain requests ({@code METHOD
 * target HTTP/1.1}, ordinary headers, a body of a given length or none: {@link PlainHead}) read by
 * {@link PlainHeadDecoder}, which shares the target, names and values a client repeats from
 * request to request; any other request is read by Netty's decoder. As in Netty's server codec,
 * the response encoder knows which request each response answers (a response to HEAD has no body;
 * a 2xx to CONNECT loses its Transfer-Encoding), at most {@value #MAX_PIPELINE_DEPTH} requests may
 * wait for their responses, and a request with both Transfer-Encoding and Content-Length, where
 * Netty's decoder is configured to accept one (by default it refuses it), closes the connection
 * after its response. Netty's server codec keeps those parts private, so they are repeated here.
 * Messages are made with {@link CompactHttpHeaders} on both paths.
 */
public final class DownstreamHttp1Codec extends CombinedChannelDuplexHandler<PlainHeadDecoder, HttpResponseEncoder> {
    /** As Netty's server codec: more requests than this waiting for responses are refused. */
    static final int MAX_PIPELINE_DEPTH = 128;
    private static final HttpMethod[] COMMON = {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE,
            HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE};

    /** The methods of the requests decoded whose responses have not yet begun, in order. */
    private final ArrayDeque<HttpMethod> awaiting = new ArrayDeque<>(2);
    private boolean closeAfterResponse;

    /** Limits as Netty's: a longer request line is refused with 414, longer headers with 431 (by the handlers after this). */
    public DownstreamHttp1Codec(int maxInitialLine, int maxHeaderSize, int maxChunk) {
        init(new RequestDecoder(new HttpDecoderConfig().setMaxInitialLineLength(maxInitialLine).setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunk).setHeadersFactory(CompactHeadersFactory.HEADERS)
                .setTrailersFactory(CompactHeadersFactory.TRAILERS)), new ResponseEncoder());
    }

    private final class RequestDecoder extends PlainHeadDecoder {
        /** Past this many pipelined requests everything more is dropped and the connection closes. */
        private boolean discard;
        private byte[] lastTarget = new byte[0];
        private String lastTargetText;

        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        Fallback newFallback(HttpDecoderConfig config) {
            return new NettyRequestDecoder(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (discard) {
                in.skipBytes(in.readableBytes());
                return;
            }
            int before = out.size();
            super.decode(ctx, in, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    if (awaiting.size() >= MAX_PIPELINE_DEPTH) {
                        closeAfterResponse = true;
                        discard = true;
                        List<Object> dropped = out.subList(i, out.size());
                        dropped.forEach(ReferenceCountUtil::release);
                        dropped.clear();
                        in.skipBytes(in.readableBytes());
                        throw new IllegalStateException("maxPipelineDepth exceeded: " + MAX_PIPELINE_DEPTH);
                    }
                    awaiting.add(request.method());
                }
            }
        }

        /** "METHOD target HTTP/1.1" with a method of capital letters and a target of visible ASCII; CONNECT is Netty's. */
        @Override
        HttpMessage plainMessage(PlainHead head) {
            byte[] b = head.bytes();
            int end = head.firstLineEnd();
            int m = 0;
            while (m < end && m <= 16 && b[m] >= 'A' && b[m] <= 'Z') {
                m++;
            }
            if (m == 0 || m == end || b[m] != ' ') {
                return null;
            }
            int target = m + 1;
            int targetEnd = target;
            while (targetEnd < end && b[targetEnd] > ' ' && b[targetEnd] < 0x7f) {
                targetEnd++;
            }
            if (targetEnd == target || targetEnd != end - 9 || b[targetEnd] != ' ' || !head.matches(targetEnd + 1, end, "HTTP/1.1")) {
                return null;
            }
            HttpMethod method = method(head, m);
            if (method == HttpMethod.CONNECT) {
                return null;
            }
            // Room for the two the proxy may add on the way (x-request-id, a framing header).
            CompactHttpHeaders headers = CompactHeadersFactory.HEADERS.withRoomFor(head.count() + 2);
            for (int i = 0; i < head.count(); i++) {
                repeated.read(head, i);
                headers.addChecked(repeated.name(), repeated.value());
            }
            return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target(b, target, targetEnd), headers);
        }

        private static HttpMethod method(PlainHead head, int length) {
            for (HttpMethod common : COMMON) {
                if (head.matches(0, length, common.name())) {
                    return common;
                }
            }
            return HttpMethod.valueOf(RepeatedHeaders.text(head.bytes(), 0, length));
        }

        /** The request target, the same string as last time when the client asks for the same one again. */
        private String target(byte[] b, int start, int end) {
            if (Arrays.equals(b, start, end, lastTarget, 0, lastTarget.length)) {
                return lastTargetText;
            }
            lastTarget = Arrays.copyOfRange(b, start, end);
            lastTargetText = RepeatedHeaders.text(b, start, end);
            return lastTargetText;
        }
    }

    /** Netty's decoder, for the requests that are not plain. */
    private final class NettyRequestDecoder extends HttpRequestDecoder implements PlainHeadDecoder.Fallback {
        NettyRequestDecoder(HttpDecoderConfig config) {
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
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            closeAfterResponse = true;
        }
    }

    private final class ResponseEncoder extends HttpResponseEncoder {
        /** The method of the request the response being written answers. */
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (closeAfterResponse && msg instanceof LastHttpContent) {
                closeAfterResponse = false;
                promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // RFC 9110 9.3.6: a tunnel has no framing
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // an interim answer: its request still waits for the final one
            }
            method = awaiting.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
