package io.meshwork.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * HTTP/1.1 pipelining: a client may send its next request before the previous one is answered,
 * and answers must go back in order. This handler passes one request at a time on (its body
 * parts with it) and holds whatever comes after it until its response is written complete;
 * then it passes the next. Reading pauses while more than {@value #MAX_HELD} messages wait.
 * Interim answers (100 Continue) do not complete a request. After an answer that closes the
 * connection nothing more is passed on: a request pipelined behind it is never processed
 * (RFC 9112 9.6), since its caller will never see the answer.
 */
public final class Http1PipeliningHandler extends ChannelDuplexHandler {
    static final int MAX_HELD = 32;

    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** A request's head went on and its last part has not yet. */
    private boolean requestOpen;
    /** A request went on whose response is not yet written complete. */
    private boolean awaitingResponse;
    private boolean releaseScheduled;
    /** An answer that ends the connection was written: what follows it is dropped. */
    private boolean closing;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing && !requestOpen) {
            // Only the body of the request being answered still goes on; the next request never does.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!held.isEmpty() || (awaitingResponse && !requestOpen)) {
            held.add(msg);
            if (held.size() > MAX_HELD) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        pass(ctx, msg);
    }

    private void pass(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            requestOpen = true;
            awaitingResponse = true;
        }
        if (msg instanceof LastHttpContent) {
            requestOpen = false;
            if (!awaitingResponse) {
                // Its response went out before the request ended (the rest of the body is dropped): the next may go.
                scheduleRelease(ctx);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse response && response.status().code() < 200;
        if (msg instanceof HttpResponse response && !interim && !HttpUtil.isKeepAlive(response)) {
            closing = true;
            releaseHeld();
        }
        boolean completesResponse = msg instanceof LastHttpContent && !interim;
        ctx.write(msg, promise);
        if (completesResponse && awaitingResponse) {
            awaitingResponse = false;
            if (!requestOpen) {
                scheduleRelease(ctx);
            }
        }
    }

    /**
     * The held messages go on after the current call stack unwinds: the exchange that just wrote
     * its last response part is still finishing, and the next must not start inside it.
     */
    private void scheduleRelease(ChannelHandlerContext ctx) {
        if (held.isEmpty() || releaseScheduled || closing) {
            return;
        }
        releaseScheduled = true;
        ctx.executor().execute(() -> {
            releaseScheduled = false;
            release(ctx);
        });
    }

    private void release(ChannelHandlerContext ctx) {
        boolean passed = false;
        while (!held.isEmpty() && !(awaitingResponse && !requestOpen) && !closing && ctx.channel().isActive()) {
            pass(ctx, held.poll());
            passed = true;
        }
        if (passed) {
            ctx.fireChannelReadComplete();
        }
        if (held.size() <= MAX_HELD && !ctx.channel().config().isAutoRead() && !requestOpen) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
    }
}
