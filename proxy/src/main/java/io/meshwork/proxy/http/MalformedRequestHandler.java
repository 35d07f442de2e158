package io.meshwork.proxy.http;

import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.observability.ResponseFlag;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;

/**
 * A request the HTTP/1.1 decoder could not parse never reaches routing: it is answered here
 * (431 headers too large, 414 request line too long, 413 too large, 400 otherwise; flag DPE)
 * and the connection is closed gracefully, since its byte stream has lost its framing. A body
 * that breaks after its request began goes to the exchange in flight as a
 * {@link MalformedRequestEvent}. Sits after the {@link Http1PipeliningHandler}, so answers keep
 * their order.
 */
public final class MalformedRequestHandler extends ChannelInboundHandlerAdapter {
    /** How long a refused client gets to read its answer before the socket goes. */
    static final long LINGER_MILLIS = 2_000;

    private final RequestPath path;
    private boolean refused;

    public MalformedRequestHandler(RequestPath path) {
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request && !request.decoderResult().isSuccess()) {
            refused = true;
            refuse(ctx, request);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpContent content && !content.decoderResult().isSuccess()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            ctx.fireUserEventTriggered(new MalformedRequestEvent(cause));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request) {
        DecoderResult result = request.decoderResult();
        int status = result.cause() instanceof TooLongHttpHeaderException ? 431
                : result.cause() instanceof TooLongHttpLineException ? 414
                : result.cause() instanceof TooLongFrameException ? 413 : 400;
        String message = "malformed request: " + result.cause().getMessage();
        var answer = LocalResponses.of(ctx.alloc(), status, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, message, false);
        recordRefused(path, ctx, request.method().name(), request.uri(), "HTTP/1.1", request.headers(), answer);
        // Half-close after the answer and give the client a moment to read it before the socket
        // goes: unread request bytes would otherwise turn the close into a reset that loses it.
        ctx.writeAndFlush(answer).addListener(f -> {
            if (ctx.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
                ctx.channel().config().setAutoRead(true);
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }

    /**
     * Counts and logs a request refused as malformed before any routing (flag DPE): on HTTP/1.1
     * here, on an HTTP/2 stream by {@link HttpExchangeHandler}. Called before {@code answer} is
     * written, while its body can still be measured.
     */
    static void recordRefused(RequestPath path, ChannelHandlerContext ctx, String method, String uri, String protocol,
                              HttpHeaders requestHeaders, FullHttpResponse answer) {
        int status = answer.status().code();
        long bytes = answer.content().readableBytes();
        path.routing().unrouted().request(status, 0, 0, bytes);
        path.observer().completed(new ExchangeRecord(path.routing().direction(), method, uri, protocol, "", requestHeaders,
                answer.headers(), status, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, 0, bytes, System.currentTimeMillis(), 0,
                null, null, null, ctx.channel().remoteAddress()));
    }
}
