package io.meshwork.proxy.http;

import io.meshwork.proxy.observability.ResponseFlag;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of a downstream pipeline, one per HTTP/1.1 connection or HTTP/2 stream: starts an
 * {@link Exchange} for each request and hands it the request's body parts, the end of each read
 * batch, the caller's writability and its going away. Requests come one at a time: on HTTP/1.1
 * the {@link Http1PipeliningHandler} holds the next until the previous one is answered.
 */
public final class HttpExchangeHandler extends ChannelInboundHandlerAdapter implements Exchange.Downstream {
    private final RequestPath path;
    /** The connection's timer when this handler serves an HTTP/2 stream; null on an HTTP/1.1 connection (a timer of its own). */
    private final StreamDeadlines shared;
    private ChannelHandlerContext ctx;
    private DeadlineTimer timer;
    private final ExchangeDeadlines deadlines = new ExchangeDeadlines();
    private Exchange current;
    private boolean reading;
    /** An HTTP/2 stream whose request could not be read was answered 400: nothing more happens on it. */
    private boolean refused;

    /** For an HTTP/1.1 connection. */
    public HttpExchangeHandler(RequestPath path) {
        this(path, null);
    }

    /** For one stream of an HTTP/2 connection whose streams share {@code deadlines}' timer. */
    public HttpExchangeHandler(RequestPath path, StreamDeadlines deadlines) {
        this.path = path;
        this.shared = deadlines;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = shared != null ? shared.timer(ctx.executor()) : new DeadlineTimer(ctx.executor(), this::checkDeadlines);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof HttpRequest request) {
            if (current != null) {
                // Only one request at a time reaches here; anything else is a bug upstream of us.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            current = new Exchange(path, this, request, shared != null);
            if (shared != null) {
                shared.watch(this);
            }
            current.start();
            if (msg instanceof FullHttpMessage full) {
                if (current != null && !full.content().isReadable() && full.trailingHeaders().isEmpty()) {
                    // A bodiless request (an HTTP/2 GET): the shared empty end, which the exchange keeps no body for.
                    full.release();
                    current.requestPart(LastHttpContent.EMPTY_LAST_CONTENT);
                } else if (current != null) {
                    current.requestPart(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                } else {
                    full.release(); // the exchange ended as it started (its caller had gone)
                }
            }
        } else if (msg instanceof HttpContent content) {
            if (current != null) {
                current.requestPart(content);
            } else {
                content.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (current != null) {
            current.flushUpstream();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.downstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof MalformedRequestEvent malformed) {
            if (current != null) {
                current.malformedRequestBody(malformed.cause());
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.downstreamGone();
        }
        if (shared != null) {
            shared.unwatch(this);
        } else {
            timer.cancel();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (shared != null && current == null && !refused && cause instanceof DecoderException) {
            refuseMalformedStream(ctx, cause);
            return;
        }
        ctx.close();
    }

    /**
     * An HTTP/2 stream whose request head cannot become a request (a Host that contradicts
     * {@code :authority}, a bad pseudo-header): the caller gets a 400 saying why before the stream
     * ends (RFC 9113 8.1.1 allows a response to a malformed request), not a bare reset. The
     * connection's other streams go on.
     */
    private void refuseMalformedStream(ChannelHandlerContext ctx, Throwable cause) {
        refused = true;
        Throwable reason = cause.getCause() != null ? cause.getCause() : cause;
        var answer = LocalResponses.of(ctx.alloc(), 400, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR,
                "malformed request: " + reason.getMessage(), true);
        // Method and path are "-": the head they were in could not be read.
        MalformedRequestHandler.recordRefused(path, ctx, "-", "-", "HTTP/2", EmptyHttpHeaders.INSTANCE, answer);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public DeadlineTimer timer() {
        return timer;
    }

    @Override
    public ExchangeDeadlines deadlines() {
        return deadlines;
    }

    @Override
    public boolean reading() {
        return reading;
    }

    @Override
    public void exchangeEnded(Exchange exchange) {
        if (current != exchange) {
            return;
        }
        current = null;
        // The exchange may have paused reading (backpressure from its upstream, or a body held while
        // connecting): the connection reads again for its next request. The pipelining handler
        // pauses it again at once if it already holds too many.
        AutoRead.set(ctx.channel(), true);
        if (shared != null) {
            // A stream carries one exchange: it leaves the connection's timer now, or the timer would
            // keep the closed stream (and all it references) on the heap.
            shared.unwatch(this);
        }
    }

    private void checkDeadlines() {
        timer.fireBy(checkTimeouts());
    }

    /** Handles whatever limit of the running exchange has passed; returns when to look again (0: nothing to watch). */
    long checkTimeouts() {
        return current == null ? 0 : current.checkTimeouts(timer.now());
    }
}
