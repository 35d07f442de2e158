package io.meshwork.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection whose next request's headers do not arrive in time: the first
 * request within {@code firstMillis} of accepting the connection (a slowloris client trickling
 * header bytes is cut off), later ones within {@code keepAliveMillis} of the previous response
 * (an idle keep-alive connection is let go, as nginx's keepalive_timeout does).
 */
public final class RequestHeaderTimeoutHandler extends ChannelDuplexHandler {
    private final long firstMillis;
    private final long keepAliveMillis;
    private ScheduledFuture<?> deadline;

    public RequestHeaderTimeoutHandler(long firstMillis, long keepAliveMillis) {
        this.firstMillis = firstMillis;
        this.keepAliveMillis = keepAliveMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx, firstMillis);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx, firstMillis);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            arm(ctx, keepAliveMillis);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx, long millis) {
        disarm();
        deadline = ctx.executor().schedule(() -> {
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
