package io.meshwork.proxy.http;

import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxy.upstream.UpstreamConnector;
import io.meshwork.proxy.upstream.UpstreamConnectors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Proxies HTTP exchanges arriving on one downstream connection (HTTP/1.1) or stream (HTTP/2):
 * asks the listener's routing where each request goes, takes an upstream channel for it,
 * streams the request up and the response down with backpressure on both sides, enforces the
 * per-request timeout, and answers locally when there is no route, no endpoint or no answer.
 * HTTP/1.1 requests are handled one at a time; pipelined ones wait their turn.
 */
public final class HttpExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final int MAX_BUFFERED_BEFORE_CONNECT = 64 * 1024;
    /** Pipelined messages held while the previous request is in flight; beyond this, reading pauses. */
    private static final int MAX_BACKLOG = 32;
    private static final long LINGER_MILLIS = 2_000;

    private final RequestRouting routing;
    private final UpstreamConnectors connectors;
    private final ExchangeObserver observer;
    private final boolean http2Stream;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    /**
     * The request in flight times out at this moment (0: none). One timer per connection checks
     * it lazily instead of scheduling and cancelling a task for every request.
     */
    private long deadlineNanos;
    private ScheduledFuture<?> timer;
    private long timerAtNanos;
    /** Inside a read batch: writes to the upstream are flushed once, at its end. */
    private boolean reading;

    public HttpExchangeHandler(RequestRouting routing, UpstreamConnectors connectors, ExchangeObserver observer,
                               boolean http2Stream) {
        this.routing = routing;
        this.connectors = connectors;
        this.observer = observer;
        this.http2Stream = http2Stream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (current != null && current.requestDone || (current == null && !backlog.isEmpty())) {
            // A pipelined request: it waits for the one in flight. Reading pauses only if many pile up.
            backlog.add(msg);
            if (backlog.size() > MAX_BACKLOG) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            if (current != null) {
                backlog.add(msg);
                return;
            }
            if (!request.decoderResult().isSuccess()) {
                rejectMalformed(request);
                ReferenceCountUtil.release(msg);
                return;
            }
            current = new Exchange(request);
            current.start();
            if (msg instanceof HttpContent content && current != null) {
                current.requestPart(asContentPart(content));
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

    /** The body part of a message that came whole (HTTP/2 HEADERS+DATA with END_STREAM, or an aggregate). */
    private static HttpContent asContentPart(HttpContent full) {
        if (full instanceof FullHttpMessage message) {
            return new DefaultLastHttpContent(message.content(), message.trailingHeaders());
        }
        return full;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (current != null && current.upstream != null) {
            current.upstream.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Writes to the upstream; flushes now unless a read is in progress, whose end flushes once for all. */
    private void flushUnlessReading(Channel upstream) {
        if (!reading) {
            upstream.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && current.upstream != null && ctx.channel().isWritable()) {
            current.upstream.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.downstreamGone();
        }
        cancelTimer();
        while (!backlog.isEmpty()) {
            ReferenceCountUtil.release(backlog.poll());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Makes sure the timer fires no later than the current deadline (it may fire earlier and look again). */
    private void armTimer() {
        if (timer != null && timerAtNanos - deadlineNanos <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        schedule(deadlineNanos);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long at) {
        timerAtNanos = at;
        timer = ctx.executor().schedule(this::checkDeadline, at - ctx.executor().ticker().nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void checkDeadline() {
        timer = null;
        if (deadlineNanos == 0 || current == null) {
            return;
        }
        if (deadlineNanos - ctx.executor().ticker().nanoTime() <= 0) {
            current.timedOut();
        } else {
            schedule(deadlineNanos);
        }
    }

    private void rejectMalformed(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        int status = result.cause() instanceof TooLongHttpHeaderException ? 431
                : result.cause() instanceof TooLongHttpLineException ? 414
                : result.cause() instanceof TooLongFrameException ? 413 : 400;
        // Close gracefully: half-close after the response, and give the client a moment to read it
        // before the socket goes, or unread request bytes would turn the close into a reset.
        ctx.writeAndFlush(LocalResponses.of(ctx.alloc(), status, "DPE", "malformed request: " + result.cause().getMessage(), false))
                .addListener(f -> {
                    if (ctx.channel() instanceof DuplexChannel duplex) {
                        duplex.shutdownOutput();
                        ctx.channel().config().setAutoRead(true);
                        ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
                    } else {
                        ctx.close();
                    }
                });
        observer.completed(new ExchangeRecord(routing.direction(), request.method().name(), request.uri(), "HTTP/1.1", "",
                request.headers(), null, status, "DPE", 0, 0, System.currentTimeMillis(), 0, null, null, null,
                ctx.channel().remoteAddress()));
    }

    private void afterExchange(boolean keepAlive) {
        current = null;
        if (!keepAlive) {
            ctx.flush();
            ctx.close();
            return;
        }
        while (current == null && !backlog.isEmpty()) {
            dispatch(backlog.poll());
        }
        while (current != null && !current.requestDone && !backlog.isEmpty()) {
            dispatch(backlog.poll());
        }
        if (!http2Stream && !ctx.channel().config().isAutoRead() && backlog.size() <= MAX_BACKLOG
                && (current == null || current.upstreamWritable())) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** One request/response cycle. */
    private final class Exchange implements UpstreamRelayHandler.Sink {
        private final HttpRequest request;
        private final long startNanos = System.nanoTime();
        private final long startMillis = System.currentTimeMillis();
        private final boolean keepAlive;
        private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
        private RouteDecision.Forward target;
        private UpstreamConnector connector;
        private Channel upstream;
        private UpstreamRelayHandler relay;
        private int pendingBytes;
        private boolean requestDone;
        private boolean responseStarted;
        private boolean responseDone;
        private boolean skippingInterim;
        private boolean finished;
        private boolean upstreamKeepAlive = true;
        private HttpResponse response;
        private int status;
        private String flags = "-";
        private long bytesIn;
        private long bytesOut;

        private final String originalUri;

        Exchange(HttpRequest request) {
            this.request = request;
            this.originalUri = request.uri();
            this.keepAlive = http2Stream || HttpUtil.isKeepAlive(request);
        }

        void start() {
            RouteDecision decision;
            try {
                decision = routing.route(request);
            } catch (RuntimeException e) {
                decision = new RouteDecision.Reject(500, "NR", "routing failed: " + e);
            }
            if (decision instanceof RouteDecision.Reject reject) {
                respondLocally(reject.status(), reject.flag(), reject.message());
                return;
            }
            target = (RouteDecision.Forward) decision;
            if (target.timeoutMillis() > 0) {
                deadlineNanos = ctx.executor().ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(target.timeoutMillis());
                armTimer();
            }
            connector = connectors.forLoop(ctx.channel().eventLoop());
            Channel pooled = target.http2() ? null : connector.pooled(target.endpoint());
            if (pooled != null) {
                connected(pooled);
            } else {
                connector.acquire(target.endpoint(), target.http2(), target.cluster()).addListener(this::upstreamReady);
            }
        }

        void requestPart(HttpContent content) {
            bytesIn += content.content().readableBytes();
            boolean last = content instanceof LastHttpContent;
            if (last) {
                requestDone = true;
            }
            if (finished || target == null) {
                content.release();
                if (last && finished) {
                    afterExchange(keepAlive && responseDone);
                }
                return;
            }
            if (upstream == null) {
                pending.add(content);
                pendingBytes += content.content().readableBytes();
                if (pendingBytes > MAX_BUFFERED_BEFORE_CONNECT) {
                    ctx.channel().config().setAutoRead(false);
                }
                return;
            }
            if (last) {
                upstream.write(content);
                flushUnlessReading(upstream);
            } else {
                upstream.write(content);
                if (!upstream.isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
            }
        }

        private void upstreamReady(Future<? super Channel> f) {
            if (finished) {
                if (f.isSuccess()) {
                    connector.release((Channel) f.getNow(), false);
                }
                return;
            }
            if (!f.isSuccess()) {
                respondLocally(503, "UF", "upstream connect error to " + target.cluster() + " at " + target.endpoint()
                        + ": " + f.cause().getMessage());
                return;
            }
            connected((Channel) f.getNow());
        }

        private void connected(Channel channel) {
            upstream = channel;
            relay = UpstreamRelayHandler.of(channel);
            relay.attach(this);
            upstream.config().setAutoRead(true);
            upstream.write(ForwardedHeaders.head(
                    ForwardedHeaders.upstreamRequest(request, target.path(), target.authority(), target.http2())));
            HttpContent part;
            while ((part = pending.poll()) != null) {
                upstream.write(part);
            }
            flushUnlessReading(upstream);
            if (!requestDone) {
                ctx.channel().config().setAutoRead(upstream.isWritable());
                if (!http2Stream) {
                    ctx.read();
                }
            }
        }

        @Override
        public void upstreamResponse(HttpResponse upstreamResponse) {
            if (finished) {
                return;
            }
            if (upstreamResponse.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                skippingInterim = true;
                return;
            }
            responseStarted = true;
            response = upstreamResponse;
            status = upstreamResponse.status().code();
            upstreamKeepAlive = target.http2() || HttpUtil.isKeepAlive(upstreamResponse);
            ctx.write(ForwardedHeaders.head(ForwardedHeaders.downstreamResponse(upstreamResponse, http2Stream, keepAlive,
                    request.protocolVersion())));
        }

        @Override
        public void upstreamContent(HttpContent content) {
            if (finished || skippingInterim) {
                if (content instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                content.release();
                return;
            }
            HttpContent part = content instanceof FullHttpMessage message
                    ? new DefaultLastHttpContent(message.content(), message.trailingHeaders()) : content;
            bytesOut += part.content().readableBytes();
            if (part instanceof LastHttpContent) {
                responseDone = true;
                ctx.writeAndFlush(part);
                finish();
            } else {
                ctx.write(part);
                if (!ctx.channel().isWritable()) {
                    upstream.config().setAutoRead(false);
                }
            }
        }

        @Override
        public void upstreamReadComplete() {
            ctx.flush();
        }

        @Override
        public void upstreamWritable(boolean writable) {
            if (writable && !requestDone && !finished) {
                ctx.channel().config().setAutoRead(true);
                if (!http2Stream) {
                    ctx.read();
                }
            }
        }

        @Override
        public void upstreamFailed(Throwable cause) {
            if (finished) {
                return;
            }
            upstreamKeepAlive = false;
            if (!responseStarted) {
                respondLocally(503, "UC", "upstream connection to " + target.cluster() + " closed before a response"
                        + (cause == null ? "" : ": " + cause.getMessage()));
            } else {
                flags = "UC";
                finish();
                ctx.close();
            }
        }

        boolean upstreamWritable() {
            return upstream == null || upstream.isWritable();
        }

        private void timedOut() {
            if (finished) {
                return;
            }
            upstreamKeepAlive = false;
            if (!responseStarted) {
                respondLocally(504, "UT", "upstream request timeout after " + target.timeoutMillis() + " ms");
            } else {
                flags = "UT";
                finish();
                ctx.close();
            }
        }

        void downstreamGone() {
            if (!finished) {
                flags = "DC";
                upstreamKeepAlive = false;
                finish();
            }
            pending.forEach(HttpContent::release);
            pending.clear();
        }

        private void respondLocally(int code, String flag, String message) {
            status = code;
            flags = flag;
            responseStarted = true;
            responseDone = true;
            upstreamKeepAlive = false;
            var local = LocalResponses.of(ctx.alloc(), code, flag, message, keepAlive);
            bytesOut += local.content().readableBytes();
            response = local;
            ctx.writeAndFlush(local);
            finish();
        }

        private void finish() {
            if (finished) {
                return;
            }
            finished = true;
            deadlineNanos = 0;
            if (http2Stream) {
                // A stream carries one exchange: its timer goes now, or it would keep the closed stream
                // (and all it references) on the heap until the timeout passed.
                cancelTimer();
            }
            pending.forEach(HttpContent::release);
            pending.clear();
            if (upstream != null) {
                if (relay != null) {
                    relay.detach();
                }
                connector.release(upstream, upstreamKeepAlive && requestDone && responseDone);
            }
            observer.completed(new ExchangeRecord(routing.direction(), request.method().name(), originalUri,
                    http2Stream ? "HTTP/2" : request.protocolVersion().text(), request.headers().get(HttpHeaderNames.HOST),
                    request.headers(), response == null ? null : response.headers(), status, flags, bytesIn, bytesOut,
                    startMillis, System.nanoTime() - startNanos, target == null ? null : target.cluster(),
                    target == null ? null : target.route(), upstream == null ? null : upstream.remoteAddress(),
                    ctx.channel().remoteAddress()));
            if (!ctx.channel().isActive()) {
                current = null;
                return;
            }
            if (requestDone) {
                afterExchange(keepAlive && responseDone);
            } else {
                // The response is out before the request ended: the rest of the request body is dropped.
                current = this;
            }
        }
    }
}
