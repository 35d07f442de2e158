package io.meshwork.proxy.http;

import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.tracing.ExchangeTrace;
import io.meshwork.proxy.resilience.AttemptFailure;
import io.meshwork.proxy.resilience.ConnectionLimits;
import io.meshwork.proxy.resilience.GrpcTimeout;
import io.meshwork.proxy.resilience.RetryDecision;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxy.upstream.UpstreamConnections;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request/response cycle. It asks the listener's routing where the request goes, waits for
 * a connection-pool slot if the route has limits, then makes {@link UpstreamAttempt}s on one
 * instance after another while {@link RetryDecision} allows, relays the accepted response to
 * the caller, and reports the finished exchange. Nothing reaches the caller until an attempt's
 * response is accepted, so a retried failure is invisible to it. Its parts: the time limits
 * ({@link ExchangeDeadlines}), the body kept for a retry ({@link ReplayableBody}), the retry
 * decision, one attempt. Everything runs on the caller's event loop.
 */
final class Exchange implements UpstreamAttempt.Listener {
    /** A request body is kept for a retry up to this size; a larger one streams through unretried. */
    static final int MAX_REPLAY_BYTES = 64 * 1024;
    /** Body bytes held while no attempt is connected before the caller's reading pauses. */
    static final int MAX_HELD_BEFORE_CONNECT = 64 * 1024;
    private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final List<HttpContent> EMPTY_BODY = List.of(LastHttpContent.EMPTY_LAST_CONTENT);

    /** The connection (or HTTP/2 stream) the exchange arrived on, as the exchange needs it. */
    interface Downstream {
        ChannelHandlerContext context();

        DeadlineTimer timer();

        /** The deadlines its exchanges take turns with (see {@link ExchangeDeadlines}). */
        ExchangeDeadlines deadlines();

        /** Whether a read batch is in progress (whose end flushes upstream writes once). */
        boolean reading();

        /**
         * The exchange is over, request and response: the connection may carry the next one (the
         * exchange closes it itself when it may not). Called before the exchange's last write, so
         * a pipelined request released by that write finds the connection free.
         */
        void exchangeEnded(Exchange exchange);
    }

    private final RequestPath path;
    private final Downstream downstream;
    private final ChannelHandlerContext ctx;
    private final boolean http2Stream;
    private final HttpRequest request;
    private final String originalUri;
    private final boolean keepAlive;
    private final long startNanos = System.nanoTime();
    /** The request's spans; null when tracing is off. */
    private final ExchangeTrace trace;

    private RouteDecision.Forward target;
    /** Counts this exchange: its route target's, or whatever answered it when nothing was forwarded. */
    private TrafficMeter meter;
    private HttpRequest upstreamHead;
    private UpstreamConnections connections;
    /** Set once forwarded; the connection's, used until {@link Downstream#exchangeEnded} is called. */
    private ExchangeDeadlines deadlines;
    /**
     * The request body kept for a retry or waiting for a connection; made when a part other than
     * the shared {@link LastHttpContent#EMPTY_LAST_CONTENT} arrives. Until then (for every
     * bodiless request) the body is nothing, or just that end once {@link #requestDone}.
     */
    private ReplayableBody body;
    private UpstreamAttempt attempt;
    private List<InetSocketAddress> tried = List.of();
    private InetSocketAddress upstreamAddress;
    private int attempts;
    private int retries;
    private ScheduledFuture<?> retryTask;
    private Runnable admission;
    private boolean admitted;

    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean finished;
    /** Whether the upstream connection may carry another exchange after this one. */
    private boolean upstreamReusable = true;
    private HttpResponse response;
    private int status;
    private ResponseFlag flag = ResponseFlag.NONE;
    private long bytesIn;
    private long bytesOut;

    Exchange(RequestPath path, Downstream downstream, HttpRequest request, boolean http2Stream) {
        this.path = path;
        this.downstream = downstream;
        this.ctx = downstream.context();
        this.http2Stream = http2Stream;
        this.request = request;
        this.originalUri = request.uri();
        this.keepAlive = http2Stream || HttpUtil.isKeepAlive(request);
        // Before the headers change for the upstream: the caller's trace context is read from them.
        this.trace = path.tracing() == null ? null
                : path.tracing().start(request, path.routing().direction(), ctx.channel().remoteAddress(), http2Stream);
    }

    boolean requestDone() {
        return requestDone;
    }

    /** Routes the request and makes the first attempt (or answers locally). */
    void start() {
        RouteDecision decision;
        try {
            decision = path.routing().route(request);
        } catch (RuntimeException e) {
            decision = new RouteDecision.Reject(500, ResponseFlag.NO_ROUTE, "routing failed: " + e);
        }
        if (decision instanceof RouteDecision.Reject reject) {
            meter = reject.meter();
            respondLocally(reject.status(), reject.flag(), reject.message());
            return;
        }
        target = (RouteDecision.Forward) decision;
        meter = target.meter();
        if (trace != null) {
            trace.routed(target.route(), target.cluster());
        }
        long timeout = target.timeoutMillis();
        // A gRPC caller's deadline bounds the call too: nobody waits for an answer its caller gave up on.
        long callerDeadline = http2Stream ? GrpcTimeout.millis(request.headers().get(GRPC_TIMEOUT)) : -1;
        if (callerDeadline > 0 && (timeout <= 0 || callerDeadline < timeout)) {
            timeout = callerDeadline;
        }
        deadlines = downstream.deadlines().start(now(), timeout, target.idleMillis());
        if (retriesAllowed()) {
            target.upstream().budget().recordRequest();
        }
        upstreamHead = ForwardedHeaders.head(ForwardedHeaders.upstreamRequest(request, target.path(), target.authority(),
                http2Stream, target.http2()));
        connections = path.connectors().forLoop(ctx.channel().eventLoop());
        deadlinesChanged();
        if (admit()) {
            attempt();
        }
    }

    /** Takes a slot of the route's connection pool; false when the request waits for one or was refused. */
    private boolean admit() {
        ConnectionLimits limits = target.limits();
        if (limits == null) {
            return true;
        }
        EventLoop loop = ctx.channel().eventLoop();
        Runnable waiter = () -> loop.execute(this::admittedLater);
        switch (limits.admit(waiter)) {
            case NOW -> {
                admitted = true;
                return true;
            }
            case QUEUED -> {
                admission = waiter;
                return false;
            }
            default -> {
                String kind = target.http2() ? "requests" : "pending";
                path.events().overflowed(target.cluster(), kind);
                respondLocally(503, ResponseFlag.UPSTREAM_OVERFLOW, "connection pool of " + target.cluster() + " is full (" + kind + ")");
                return false;
            }
        }
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
        EndpointState endpoint = target.upstream().pick(tried);
        if (endpoint == null) {
            respondLocally(503, ResponseFlag.NO_HEALTHY_UPSTREAM, "no healthy upstream: " + target.cluster() + " has no endpoints");
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
        attempts++;
        upstreamAddress = endpoint.address();
        deadlines.attemptStarted(now(), target.retry().perTryTimeoutMillis());
        deadlinesChanged();
        if (trace != null) {
            trace.attemptStarted(upstreamHead.headers(), endpoint.address(), attempts);
        }
        attempt = new UpstreamAttempt(this, endpoint);
        attempt.start(upstreamHead, target.http2(), target.tls(), meter, !downstream.reading());
    }

    @Override
    public UpstreamConnections connections() {
        return connections;
    }

    @Override
    public Upstream upstream() {
        return target.upstream();
    }

    @Override
    public List<HttpContent> requestSoFar() {
        if (body != null) {
            return body.forNewAttempt();
        }
        // No part with bytes came: the request ended with the shared empty end, or has not ended. (A request
        // whose body could not be read is done too, but it makes no new attempt: it was answered with a 400.)
        return requestDone ? EMPTY_BODY : List.of();
    }

    /** Whether the route retries at all: only then is a request body kept for a retry. */
    private boolean retriesAllowed() {
        return target.retry().maxRetries() > 0;
    }

    @Override
    public void attemptConnected(UpstreamAttempt connected) {
        if (!requestDone) {
            AutoRead.set(ctx.channel(), connected.writable());
            if (!http2Stream) {
                ctx.read();
            }
        }
    }

    /** The caller's next body part. */
    void requestPart(HttpContent content) {
        bytesIn += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestDone = true;
        }
        touch();
        if (finished || target == null) {
            content.release();
            if (last && finished) {
                // The response went out before the request ended; now the connection can go on.
                downstream.exchangeEnded(this);
                if (!(keepAlive && responseDone)) {
                    ctx.close();
                }
            }
            return;
        }
        boolean connected = attempt != null && attempt.connected();
        if (body == null && content == LastHttpContent.EMPTY_LAST_CONTENT) {
            // The usual bodiless request: its end goes now, or with the head once an attempt connects.
            if (connected) {
                attempt.write(content, !downstream.reading());
            }
            return;
        }
        if (body == null) {
            body = new ReplayableBody(MAX_REPLAY_BYTES, retriesAllowed());
        }
        HttpContent now = body.add(content, connected);
        if (now != null) {
            attempt.write(now, last && !downstream.reading());
            if (!last && !attempt.writable()) {
                AutoRead.set(ctx.channel(), false);
            }
        } else if (!connected && body.heldBytes() > MAX_HELD_BEFORE_CONNECT) {
            AutoRead.set(ctx.channel(), false);
        }
    }

    /** The end of a read batch from the caller: one flush upstream for all of it. */
    void flushUpstream() {
        if (attempt != null) {
            attempt.flush();
        }
    }

    /** The caller can take more of the response: resume reading it from the upstream. */
    void downstreamWritable() {
        if (attempt != null && ctx.channel().isWritable()) {
            attempt.readResponses(true);
        }
    }

    @Override
    public void responseHead(UpstreamAttempt from, HttpResponse upstreamResponse) {
        touch();
        int code = upstreamResponse.status().code();
        if (trace != null) {
            trace.attemptResponded(code);
        }
        int grpcStatus = grpcStatus(upstreamResponse);
        AttemptFailure failure = AttemptFailure.status(code, grpcStatus);
        if (target.retry().matches(failure)) {
            RetryDecision decision = decide(failure);
            if (decision.retry()) {
                // This answer is not passed on: its connection closes with the attempt.
                endAttempt(failure.countsAgainstInstance(), false);
                retryAfter(decision, failure);
                return;
            }
        }
        deadlines.attemptEnded();
        responseStarted = true;
        response = upstreamResponse;
        status = code;
        upstreamReusable = target.http2() || HttpUtil.isKeepAlive(upstreamResponse);
        ctx.write(ForwardedHeaders.head(ForwardedHeaders.downstreamResponse(upstreamResponse, http2Stream, keepAlive,
                request.protocolVersion())), ctx.voidPromise());
    }

    @Override
    public void responseContent(UpstreamAttempt from, HttpContent content) {
        if (finished || !responseStarted) {
            content.release();
            return;
        }
        touch();
        HttpContent part = content instanceof FullHttpMessage message
                ? new DefaultLastHttpContent(message.content(), message.trailingHeaders()) : content;
        bytesOut += part.content().readableBytes();
        if (part instanceof LastHttpContent) {
            responseDone = true;
            finish(part, keepAlive);
        } else {
            ctx.write(part, ctx.voidPromise());
            if (!ctx.channel().isWritable()) {
                from.readResponses(false);
            }
        }
    }

    @Override
    public void responseReadComplete() {
        ctx.flush();
    }

    @Override
    public void upstreamWritable(boolean writable) {
        if (writable && !requestDone && !finished) {
            AutoRead.set(ctx.channel(), true);
            if (!http2Stream) {
                ctx.read();
            }
        }
    }

    @Override
    public void attemptFailed(UpstreamAttempt failed, AttemptFailure failure, String detail) {
        if (finished) {
            return;
        }
        ResponseFlag cause = switch (failure.kind()) {
            case CONNECT_REFUSED, CONNECT_FAILED -> ResponseFlag.UPSTREAM_CONNECTION_FAILURE;
            case PROTOCOL_ERROR -> ResponseFlag.UPSTREAM_PROTOCOL_ERROR;
            case PER_TRY_TIMEOUT -> ResponseFlag.UPSTREAM_REQUEST_TIMEOUT;
            default -> ResponseFlag.UPSTREAM_CONNECTION_TERMINATION;
        };
        if (trace != null) {
            trace.attemptFailed(failure.reason());
        }
        if (responseStarted) {
            // Part of the answer is with the caller already: it must see the answer break, never a complete-looking one.
            abort(cause);
            return;
        }
        endAttempt(true, false);
        RetryDecision decision = decide(failure);
        if (decision.retry()) {
            retryAfter(decision, failure);
            return;
        }
        int code = switch (failure.kind()) {
            case PROTOCOL_ERROR -> 502;
            case PER_TRY_TIMEOUT -> 504;
            default -> 503;
        };
        respondLocally(code, cause, detail);
    }

    private RetryDecision decide(AttemptFailure failure) {
        boolean replayable = body == null ? retriesAllowed() : body.replayable();
        RetryDecision decision = RetryDecision.of(target.retry(), failure, retries, replayable,
                deadlines.timeLeft(now()), target.upstream().budget());
        if (decision.verdict() == RetryDecision.Verdict.BUDGET_SPENT) {
            path.events().retryBudgetExhausted(target.cluster());
        }
        return decision;
    }

    private void retryAfter(RetryDecision decision, AttemptFailure failure) {
        retries++;
        String reason = failure.reason();
        meter.retried(reason);
        path.events().retried(target.cluster(), reason);
        retryTask = ctx.executor().schedule(() -> {
            retryTask = null;
            attempt();
        }, decision.delayMillis(), TimeUnit.MILLISECONDS);
    }

    /** The attempt in flight is over: its instance learns how it went, its connection goes back or is closed. */
    private void endAttempt(boolean failed, boolean reusable) {
        deadlines.attemptEnded();
        if (attempt != null) {
            attempt.end(failed, reusable);
            attempt = null;
        }
        if (trace != null) {
            trace.attemptEnded();
        }
    }

    /** Handles whatever limit has passed; returns when to look again (0: nothing left to watch). */
    long checkTimeouts(long now) {
        if (finished) {
            return 0;
        }
        switch (deadlines.passed(now)) {
            case REQUEST -> timedOut("upstream request timeout after " + target.timeoutMillis() + " ms");
            case IDLE -> timedOut("no bytes either way for " + deadlines.idleMillis() + " ms (idle timeout)");
            case ATTEMPT -> {
                String detail = "upstream attempt timeout after " + target.retry().perTryTimeoutMillis() + " ms (perRetryTimeout)";
                attemptFailed(attempt, AttemptFailure.perTryTimeout(), detail);
            }
            case NONE -> {
                // an earlier deadline moved on; look again at the next one
            }
        }
        return finished ? 0 : deadlines.next();
    }

    private void timedOut(String message) {
        if (responseStarted) {
            abort(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
            return;
        }
        endAttempt(true, false);
        respondLocally(504, ResponseFlag.UPSTREAM_REQUEST_TIMEOUT, message);
    }

    /** The caller's request body could not be parsed: the exchange ends, and the connection with it. */
    void malformedRequestBody(Throwable cause) {
        if (finished) {
            // Answered already, but the connection lost its framing: nothing more can be read from it.
            requestDone = true;
            downstream.exchangeEnded(this);
            ctx.close();
            return;
        }
        requestDone = true;
        if (responseStarted) {
            abort(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
            return;
        }
        endAttempt(false, false);
        respondLocally(400, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, "malformed request body: " + cause.getMessage(), false);
    }

    /** The caller went away. */
    void downstreamGone() {
        if (!finished) {
            flag = ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION;
            upstreamReusable = false;
            finish(null, false);
        }
    }

    /** The response broke after it began: the caller's connection (or stream) is closed so it sees that. */
    private void abort(ResponseFlag why) {
        flag = why;
        upstreamReusable = false;
        finish(null, false);
    }

    private void respondLocally(int code, ResponseFlag why, String message) {
        respondLocally(code, why, message, keepAlive);
    }

    private void respondLocally(int code, ResponseFlag why, String message, boolean connectionStays) {
        status = code;
        flag = why;
        responseStarted = true;
        responseDone = true;
        upstreamReusable = false;
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        FullHttpResponse local = http2Stream && contentType != null && contentType.startsWith("application/grpc")
                ? LocalResponses.grpc(code, why, message) : LocalResponses.of(ctx.alloc(), code, why, message, connectionStays);
        bytesOut += local.content().readableBytes();
        response = local;
        finish(local, connectionStays);
    }

    /**
     * Ends the exchange: first everything that frees the connection for the next request (the
     * attempt's connection back to the pool, the pool slot, the record, the caller's connection
     * told), then the last write, then the close if the connection does not stay.
     *
     * @param lastWrite       the response's last part (or whole local response), or null
     * @param connectionStays whether the caller's connection may carry another exchange
     */
    private void finish(Object lastWrite, boolean connectionStays) {
        if (finished) {
            ReferenceCountUtil.release(lastWrite);
            return;
        }
        finished = true;
        if (retryTask != null) {
            retryTask.cancel(false);
            retryTask = null;
        }
        if (admission != null) {
            target.limits().cancel(admission);
            admission = null;
        }
        if (body != null) {
            body.release();
        }
        boolean failed = status >= 500 || flag == ResponseFlag.UPSTREAM_CONNECTION_TERMINATION
                || flag == ResponseFlag.UPSTREAM_REQUEST_TIMEOUT || flag == ResponseFlag.UPSTREAM_PROTOCOL_ERROR;
        if (deadlines != null) {
            endAttempt(failed, upstreamReusable && requestDone && responseDone);
        }
        if (admitted) {
            admitted = false;
            target.limits().release();
        }
        long durationNanos = System.nanoTime() - startNanos;
        (meter != null ? meter : path.routing().unrouted()).request(status, durationNanos, bytesIn, bytesOut);
        if (path.observer().wants(flag)) {
            path.observer().completed(record(durationNanos));
        }
        if (trace != null) {
            trace.finished(status, flag.code(), bytesIn, bytesOut);
        }
        if (requestDone || !ctx.channel().isActive()) {
            downstream.exchangeEnded(this);
        } else {
            // The rest of the request body is read and dropped, whatever paused reading for it.
            AutoRead.set(ctx.channel(), true);
        }
        // Otherwise the response goes out before the request ended: the rest of the body is read and
        // dropped, and the connection goes on (or closes) when its last part arrives.
        boolean closes = !connectionStays || !responseDone;
        if (lastWrite == null) {
            if (closes) {
                ctx.close();
            }
        } else if (closes) {
            ctx.writeAndFlush(lastWrite).addListener(ChannelFutureListener.CLOSE);
        } else {
            // Nothing waits on this write: a failure closes the connection through the pipeline.
            ctx.writeAndFlush(lastWrite, ctx.voidPromise());
        }
    }

    private ExchangeRecord record(long durationNanos) {
        return new ExchangeRecord(path.routing().direction(), request.method().name(), originalUri,
                http2Stream ? "HTTP/2" : request.protocolVersion().text(), request.headers().get(HttpHeaderNames.HOST),
                request.headers(), response == null ? null : response.headers(), status, flag, bytesIn, bytesOut,
                // The start on the wall clock, from the monotonic duration: one clock read per exchange instead of
                // two. It is the millisecond the exchange started unless the wall clock was stepped meanwhile.
                System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(durationNanos), durationNanos,
                target == null ? null : target.cluster(),
                target == null ? null : target.route(), upstreamAddress, ctx.channel().remoteAddress());
    }

    private void touch() {
        if (deadlines != null && deadlines.watchesIdle()) {
            deadlines.activity(now());
        }
    }

    private void deadlinesChanged() {
        downstream.timer().fireBy(deadlines.next());
    }

    private long now() {
        return downstream.timer().now();
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
