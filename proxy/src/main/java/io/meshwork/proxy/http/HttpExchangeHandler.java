package io.meshwork.proxy.http;

import io.meshwork.proxy.resilience.ConnectionLimits;
import io.meshwork.proxy.resilience.GrpcTimeout;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.resilience.RetryBackoff;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxy.upstream.EndpointState;
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

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Proxies HTTP exchanges arriving on one downstream connection (HTTP/1.1) or stream (HTTP/2):
 * asks the listener's routing where each request goes, takes an upstream channel for it,
 * streams the request up and the response down with backpressure on both sides, enforces the
 * request's timeouts, retries failed attempts on other instances as the route's retry policy
 * says, and answers locally when there is no route, no endpoint or no answer.
 * HTTP/1.1 requests are handled one at a time; pipelined ones wait their turn.
 */
public final class HttpExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final int MAX_BUFFERED_BEFORE_CONNECT = 64 * 1024;
    /**
     * A request body is kept for a retry up to this size; a larger body streams through and
     * its request is not retried (a retry must send exactly what the caller sent).
     */
    static final int MAX_REPLAY_BYTES = 64 * 1024;
    private static final String GRPC_TIMEOUT = "grpc-timeout";
    private static final String GRPC_STATUS = "grpc-status";
    /** Pipelined messages held while the previous request is in flight; beyond this, reading pauses. */
    private static final int MAX_BACKLOG = 32;
    private static final long LINGER_MILLIS = 2_000;

    private final RequestRouting routing;
    private final UpstreamConnectors connectors;
    private final ExchangeObserver observer;
    private final ResilienceEvents events;
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
                               ResilienceEvents events, boolean http2Stream) {
        this.routing = routing;
        this.connectors = connectors;
        this.observer = observer;
        this.events = events;
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
        if (current == null) {
            return;
        }
        long next = current.checkTimeouts(ctx.executor().ticker().nanoTime());
        // The exchange may have ended and a pipelined one started (and armed the timer itself).
        if (next != 0 && timer == null && current != null) {
            deadlineNanos = next;
            schedule(next);
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

    /**
     * One request/response cycle, tried on one instance after another while the route's retry
     * policy, the retry budget and the request's time allow it. Nothing reaches the caller
     * until an attempt's response is accepted, so a retried failure is invisible to it.
     */
    private final class Exchange implements UpstreamRelayHandler.Sink {
        private final HttpRequest request;
        private final long startNanos = System.nanoTime();
        private final long startMillis = System.currentTimeMillis();
        private final boolean keepAlive;
        private final String originalUri;
        /** Body parts not yet written upstream, when the body is not kept for a retry. */
        private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
        /** Whether the body is kept for a retry (while it fits in {@link #MAX_REPLAY_BYTES}). */
        private boolean keepBody;
        /** The body parts kept, created with the first part that has bytes or trailers. */
        private ArrayList<HttpContent> replay;
        /** The request ended with an empty last part, which is not kept: a retry ends the body with one. */
        private int pendingBytes;
        private int replayBytes;
        private RouteDecision.Forward target;
        private UpstreamConnector connector;
        private Channel upstream;
        private UpstreamRelayHandler relay;
        private EndpointState endpoint;
        private InetSocketAddress upstreamAddress;
        private List<InetSocketAddress> tried = List.of();
        private int attempts;
        private int retries;
        private long timeoutMillis;
        private long requestDeadline;
        private long attemptDeadline;
        private long idleNanos;
        private long lastActivity;
        private ScheduledFuture<?> retryTask;
        private Runnable admission;
        private boolean admitted;
        private boolean discarding;
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
            long now = ctx.executor().ticker().nanoTime();
            long timeout = target.timeoutMillis();
            // A gRPC caller's deadline bounds the call too: nobody waits for an answer its caller gave up on.
            long callerDeadline = http2Stream ? GrpcTimeout.millis(request.headers().get(GRPC_TIMEOUT)) : -1;
            if (callerDeadline > 0 && (timeout <= 0 || callerDeadline < timeout)) {
                timeout = callerDeadline;
            }
            timeoutMillis = timeout;
            if (timeout > 0) {
                requestDeadline = now + TimeUnit.MILLISECONDS.toNanos(timeout);
            }
            if (target.idleMillis() > 0) {
                idleNanos = TimeUnit.MILLISECONDS.toNanos(target.idleMillis());
                lastActivity = now;
            }
            if (target.retry().maxRetries() > 0) {
                keepBody = true;
                target.upstream().budget().recordRequest();
            }
            deadlinesChanged();
            connector = connectors.forLoop(ctx.channel().eventLoop());
            ConnectionLimits limits = target.limits();
            if (limits != null) {
                io.netty.channel.EventLoop loop = ctx.channel().eventLoop();
                Runnable waiter = () -> loop.execute(this::admittedLater);
                switch (limits.admit(waiter)) {
                    case NOW -> admitted = true;
                    case QUEUED -> {
                        admission = waiter;
                        return;
                    }
                    case OVERFLOW -> {
                        String kind = target.http2() ? "requests" : "pending";
                        events.overflowed(target.cluster(), kind);
                        respondLocally(503, "UO", "connection pool of " + target.cluster() + " is full (" + kind + ")");
                        return;
                    }
                }
            }
            attempt();
        }

        /** A slot in the connection pool freed up for this queued request. */
        private void admittedLater() {
            admission = null;
            if (finished) {
                target.limits().release();
                return;
            }
            admitted = true;
            attempt();
        }

        /** Sends the request to an instance: the first try, or a retry. */
        private void attempt() {
            if (finished) {
                return;
            }
            discarding = false;
            endpoint = target.upstream().pick(tried);
            if (endpoint == null) {
                respondLocally(503, "UH", "no healthy upstream: " + target.cluster() + " has no endpoints");
                return;
            }
            if (attempts > 0) {
                // Only retries need to remember where earlier attempts went.
                if (tried.isEmpty()) {
                    tried = new ArrayList<>(2);
                    tried.add(upstreamAddress);
                }
                tried.add(endpoint.address());
            }
            upstreamAddress = endpoint.address();
            endpoint.attemptStarted();
            long perTry = target.retry().perTryTimeoutMillis();
            attemptDeadline = perTry > 0 ? ctx.executor().ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(perTry) : 0;
            deadlinesChanged();
            int attempt = ++attempts;
            Channel pooled = target.http2() ? null : connector.pooled(endpoint.address(), target.tls());
            if (pooled != null) {
                connected(pooled);
            } else {
                connector.acquire(endpoint.address(), target.http2(), target.cluster(), target.tls())
                        .addListener(f -> upstreamReady(f, attempt));
            }
        }

        void requestPart(HttpContent content) {
            int size = content.content().readableBytes();
            bytesIn += size;
            boolean last = content instanceof LastHttpContent;
            if (last) {
                requestDone = true;
            }
            touch();
            if (finished || target == null) {
                content.release();
                if (last && finished) {
                    afterExchange(keepAlive && responseDone);
                }
                return;
            }
            if (keepBody && replayBytes + size > MAX_REPLAY_BYTES) {
                stopKeepingBody();
            }
            if (keepBody) {
                if (replay == null) {
                    replay = new ArrayList<>(2);
                }
                replay.add(content);
                replayBytes += size;
                if (upstream != null) {
                    writeUp(content.retainedDuplicate(), last);
                }
                return;
            }
            if (upstream == null) {
                pending.add(content);
                pendingBytes += size;
                if (pendingBytes > MAX_BUFFERED_BEFORE_CONNECT) {
                    ctx.channel().config().setAutoRead(false);
                }
                return;
            }
            writeUp(content, last);
        }

        private void writeUp(HttpContent content, boolean last) {
            upstream.write(content);
            if (last) {
                flushUnlessReading(upstream);
            } else if (!upstream.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        /** The body outgrew what a retry may resend: from now on it streams through and this request is not retried. */
        private void stopKeepingBody() {
            keepBody = false;
            if (replay == null) {
                return;
            }
            if (upstream == null) {
                pending.addAll(replay);
                pendingBytes += replayBytes;
            } else {
                replay.forEach(HttpContent::release);
            }
            replay = null;
        }

        private void upstreamReady(Future<? super Channel> f, int attempt) {
            if (finished || attempt != attempts || endpoint == null) {
                // A late connection for an attempt given up on: it is fine for the pool.
                if (f.isSuccess()) {
                    connector.release((Channel) f.getNow(), !(f.getNow() instanceof io.netty.handler.codec.http2.Http2StreamChannel));
                }
                return;
            }
            if (!f.isSuccess()) {
                attemptFailed("connect", target.retry().onConnectFailure(), 503, "UF", "upstream connect error to "
                        + target.cluster() + " at " + endpoint.address() + ": " + f.cause().getMessage());
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
                    ForwardedHeaders.upstreamRequest(request, target.path(), target.authority(), http2Stream, target.http2())));
            if (keepBody) {
                if (replay != null) {
                    for (HttpContent part : replay) {
                        upstream.write(part.retainedDuplicate());
                    }
                }
            } else {
                HttpContent part;
                while ((part = pending.poll()) != null) {
                    upstream.write(part);
                }
                pendingBytes = 0;
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
            if (finished || discarding) {
                return;
            }
            if (upstreamResponse.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                skippingInterim = true;
                return;
            }
            touch();
            int code = upstreamResponse.status().code();
            int grpcStatus = grpcStatus(upstreamResponse);
            RetryRules rules = target.retry();
            if (rules.onStatus(code) || rules.onGrpcStatus(grpcStatus)) {
                if (mayRetry()) {
                    // This answer is not passed on: whatever follows of it is dropped.
                    discarding = true;
                    endAttempt(code >= 500 || grpcStatus == 14, false);
                    retry(grpcStatus > 0 ? "grpc-" + grpcStatus : Integer.toString(code));
                    return;
                }
            }
            attemptDeadline = 0;
            responseStarted = true;
            response = upstreamResponse;
            status = code;
            upstreamKeepAlive = target.http2() || HttpUtil.isKeepAlive(upstreamResponse);
            ctx.write(ForwardedHeaders.head(ForwardedHeaders.downstreamResponse(upstreamResponse, http2Stream, keepAlive,
                    request.protocolVersion())));
        }

        @Override
        public void upstreamContent(HttpContent content) {
            if (discarding) {
                if (content instanceof LastHttpContent) {
                    discarding = false;
                }
                content.release();
                return;
            }
            if (finished || skippingInterim) {
                if (content instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                content.release();
                return;
            }
            touch();
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
                attemptFailed("reset", target.retry().onReset(), 503, "UC", "upstream connection to " + target.cluster()
                        + " closed before a response" + (cause == null ? "" : ": " + cause.getMessage()));
            } else {
                flags = "UC";
                finish();
                ctx.close();
            }
        }

        boolean upstreamWritable() {
            return upstream == null || upstream.isWritable();
        }

        /** An attempt failed before any of its response was passed on: try again if allowed, else tell the caller. */
        private void attemptFailed(String reason, boolean retryable, int code, String flag, String message) {
            endAttempt(true, false);
            if (retryable && mayRetry()) {
                retry(reason);
                return;
            }
            upstreamKeepAlive = false;
            respondLocally(code, flag, message);
        }

        private boolean mayRetry() {
            if (finished || responseStarted || retries >= target.retry().maxRetries() || !keepBody) {
                return false;
            }
            if (requestDeadline != 0 && ctx.executor().ticker().nanoTime() - requestDeadline >= 0) {
                return false;
            }
            if (!target.upstream().budget().tryRetry()) {
                events.retryBudgetExhausted(target.cluster());
                return false;
            }
            return true;
        }

        private void retry(String reason) {
            retries++;
            events.retried(target.cluster(), reason);
            retryTask = ctx.executor().schedule(() -> {
                retryTask = null;
                attempt();
            }, RetryBackoff.delayMillis(retries), TimeUnit.MILLISECONDS);
        }

        /** The current attempt is over: its instance learns how it went, its connection goes back or is closed. */
        private void endAttempt(boolean failed, boolean reusable) {
            attemptDeadline = 0;
            if (endpoint != null) {
                endpoint.attemptEnded();
                target.upstream().outcome(endpoint, failed);
                endpoint = null;
            }
            if (upstream != null) {
                if (relay != null) {
                    relay.detach();
                }
                connector.release(upstream, reusable);
                upstream = null;
                relay = null;
            }
        }

        /** Handles whatever deadline has passed; returns the next one (0: none). */
        long checkTimeouts(long now) {
            if (finished) {
                return 0;
            }
            if (requestDeadline != 0 && now - requestDeadline >= 0) {
                timedOut("upstream request timeout after " + timeoutMillis + " ms");
                return 0;
            }
            if (attemptDeadline != 0 && now - attemptDeadline >= 0) {
                attemptFailed("timeout", target.retry().onPerTryTimeout(), 504, "UT", "upstream attempt timeout after "
                        + target.retry().perTryTimeoutMillis() + " ms (perRetryTimeout)");
                return finished ? 0 : nextDeadline();
            }
            if (idleNanos != 0 && now - (lastActivity + idleNanos) >= 0) {
                timedOut("no bytes either way for " + TimeUnit.NANOSECONDS.toMillis(idleNanos) + " ms (idle timeout)");
                return 0;
            }
            return nextDeadline();
        }

        private long nextDeadline() {
            return earliest(earliest(requestDeadline, attemptDeadline), idleNanos == 0 ? 0 : lastActivity + idleNanos);
        }

        private void deadlinesChanged() {
            long next = nextDeadline();
            if (next != 0) {
                deadlineNanos = next;
                armTimer();
            }
        }

        private void touch() {
            if (idleNanos != 0) {
                lastActivity = ctx.executor().ticker().nanoTime();
            }
        }

        private void timedOut(String message) {
            if (finished) {
                return;
            }
            upstreamKeepAlive = false;
            if (!responseStarted) {
                endAttempt(true, false);
                respondLocally(504, "UT", message);
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
            String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            var local = http2Stream && contentType != null && contentType.startsWith("application/grpc")
                    ? LocalResponses.grpc(code, flag, message) : LocalResponses.of(ctx.alloc(), code, flag, message, keepAlive);
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
            if (retryTask != null) {
                retryTask.cancel(false);
                retryTask = null;
            }
            if (admission != null) {
                target.limits().cancel(admission);
                admission = null;
            }
            pending.forEach(HttpContent::release);
            pending.clear();
            if (replay != null) {
                replay.forEach(HttpContent::release);
                replay = null;
            }
            endAttempt(status >= 500 || "UC".equals(flags) || "UT".equals(flags),
                    upstreamKeepAlive && requestDone && responseDone);
            if (admitted) {
                admitted = false;
                target.limits().release();
            }
            observer.completed(new ExchangeRecord(routing.direction(), request.method().name(), originalUri,
                    http2Stream ? "HTTP/2" : request.protocolVersion().text(), request.headers().get(HttpHeaderNames.HOST),
                    request.headers(), response == null ? null : response.headers(), status, flags, bytesIn, bytesOut,
                    startMillis, System.nanoTime() - startNanos, target == null ? null : target.cluster(),
                    target == null ? null : target.route(), upstreamAddress, ctx.channel().remoteAddress()));
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

    /** The earlier of two deadlines, where 0 means none. */
    private static long earliest(long a, long b) {
        return a == 0 ? b : b == 0 ? a : (a - b < 0 ? a : b);
    }

    /** The grpc-status of a trailers-only response (in its headers), or -1. */
    private static int grpcStatus(HttpResponse response) {
        String value = response.headers().get(GRPC_STATUS);
        if (value == null) {
            return -1;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
