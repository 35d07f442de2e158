package io.meshwork.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection whose next request's headers do not arrive in time: the first
 * request within {@code firstMillis} of accepting the connection (a slowloris client trickling
 * header bytes is cut off), later ones within {@code keepAliveMillis} of the previous response
 * (an idle keep-alive connection is let go, as nginx's keepalive_timeout does). The deadline is
 * a field checked by one lazily rescheduled task, not a task scheduled and cancelled per request.
 */
public final class RequestHeaderTimeoutHandler extends ChannelDuplexHandler {
    private final long firstNanos;
    private final long keepAliveNanos;
    private long deadline;
    private ScheduledFuture<?> check;

    public RequestHeaderTimeoutHandler(long firstMillis, long keepAliveMillis) {
        this.firstNanos = TimeUnit.MILLISECONDS.toNanos(firstMillis);
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx, firstNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx, firstNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            deadline = 0;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // An interim answer (100 Continue) is a complete message too, but the request goes on.
        if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse r && r.status().code() < 200)) {
            arm(ctx, keepAliveNanos);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline = 0;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx, long nanos) {
        deadline = ticker(ctx) + nanos;
        if (check == null) {
            check = ctx.executor().schedule(() -> fire(ctx), nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void fire(ChannelHandlerContext ctx) {
        check = null;
        if (deadline == 0) {
            return;
        }
        long left = deadline - ticker(ctx);
        if (left <= 0) {
            ctx.close();
        } else {
            check = ctx.executor().schedule(() -> fire(ctx), left, TimeUnit.NANOSECONDS);
        }
    }

    /** The event loop's clock (virtual in EmbeddedChannel tests). */
    private static long ticker(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }
}
