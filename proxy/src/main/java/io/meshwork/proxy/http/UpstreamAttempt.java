package io.meshwork.proxy.http;

import io.meshwork.proxy.resilience.AttemptFailure;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxy.upstream.ConnectionStats;
import io.meshwork.proxy.upstream.InstanceConnectionStats;
import io.meshwork.proxy.upstream.UpstreamConnections;
import io.meshwork.proxy.upstream.UpstreamProtocolException;
import io.meshwork.proxy.upstream.UpstreamRelayHandler;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.Future;

import java.util.List;

/**
 * One try of a request on one instance: takes a connection to it, writes the request, hands
 * what the instance answers to the exchange, and at its end gives the connection back (for
 * reuse only after a complete keep-alive exchange) and tells the instance's outlier detection
 * how it went. A failure (connect, reset, an answer that cannot be decoded) is reported once,
 * as an {@link AttemptFailure}; after {@link #end} the attempt reports nothing more.
 */
final class UpstreamAttempt implements UpstreamRelayHandler.Sink {
    /** The exchange's side of an attempt. */
    interface Listener {
        /** The pool the attempt takes its connection from, and gives it back to. */
        UpstreamConnections connections();

        /** The instances the attempt's endpoint belongs to: told how each attempt went. */
        Upstream upstream();

        /**
         * What a newly connected attempt sends after the head: the request body so far (a copy
         * when it is kept for a retry), with its end if it has ended.
         */
        List<HttpContent> requestSoFar();

        /** The connection is ready and the request's head and body so far are written. */
        void attemptConnected(UpstreamAttempt attempt);

        void responseHead(UpstreamAttempt attempt, HttpResponse response);

        void responseContent(UpstreamAttempt attempt, HttpContent content);

        void responseReadComplete();

        void upstreamWritable(boolean writable);

        /** The attempt failed; {@code detail} says how, for the caller's error message. */
        void attemptFailed(UpstreamAttempt attempt, AttemptFailure failure, String detail);
    }

    // Only what differs between attempts is kept here; the rest the listener (the exchange) holds.
    private final Listener listener;
    private final EndpointState endpoint;
    private Channel channel;
    private UpstreamRelayHandler relay;
    private boolean ended;

    UpstreamAttempt(Listener listener, EndpointState endpoint) {
        this.listener = listener;
        this.endpoint = endpoint;
        endpoint.attemptStarted();
    }

    EndpointState endpoint() {
        return endpoint;
    }

    boolean connected() {
        return channel != null;
    }

    /**
     * Takes a connection (at once if one is ready: a pooled one, or a stream on an open HTTP/2
     * connection) and sends {@code head} with the request so far; {@code stats} is told of a
     * connection the attempt opens.
     */
    void start(HttpRequest head, boolean http2, TlsContexts.Origination tls, ConnectionStats stats, boolean flush) {
        UpstreamConnections connections = listener.connections();
        Channel ready = connections.ready(endpoint.address(), http2, tls);
        if (ready != null) {
            connected(ready, head, flush);
            return;
        }
        connections.acquire(endpoint.address(), http2, new InstanceConnectionStats(stats, listener.upstream(), endpoint), tls)
                .addListener(f -> ready(f, head));
    }

    private void ready(Future<?> f, HttpRequest head) {
        if (ended) {
            // A connection for an attempt given up on: it is fine for the pool.
            if (f.isSuccess()) {
                Channel late = (Channel) f.getNow();
                listener.connections().release(late, !(late instanceof Http2StreamChannel));
            }
            return;
        }
        if (!f.isSuccess()) {
            listener.attemptFailed(this, AttemptFailure.connectFailed(f.cause()), "upstream connect error to " + listener.upstream().name()
                    + " at " + endpoint.address() + ": " + f.cause().getMessage());
            return;
        }
        connected((Channel) f.getNow(), head, true);
    }

    private void connected(Channel ch, HttpRequest head, boolean flush) {
        channel = ch;
        relay = UpstreamRelayHandler.of(ch);
        relay.attach(this);
        AutoRead.set(ch, true);
        // Nothing waits on these writes: a failure reaches the relay through the pipeline, as the attempt's failure.
        ch.write(head, ch.voidPromise());
        List<HttpContent> parts = listener.requestSoFar();
        for (int i = 0; i < parts.size(); i++) {
            ch.write(parts.get(i), ch.voidPromise());
        }
        if (flush) {
            ch.flush();
        }
        if (!ended) { // a pooled connection the peer had closed fails its first flush at once
            listener.attemptConnected(this);
        }
    }

    /** Writes the next body part; flushes when asked (the caller coalesces flushes per read batch). */
    void write(HttpContent part, boolean flush) {
        if (flush) {
            channel.writeAndFlush(part, channel.voidPromise());
        } else {
            channel.write(part, channel.voidPromise());
        }
    }

    void flush() {
        if (channel != null) {
            channel.flush();
        }
    }

    boolean writable() {
        return channel == null || channel.isWritable();
    }

    /** Stops or resumes reading the response (backpressure from the caller). */
    void readResponses(boolean read) {
        if (channel != null) {
            AutoRead.set(channel, read);
        }
    }

    /**
     * Ends the attempt: the instance learns whether it {@code failed}; the connection goes back
     * to the pool if {@code reusable}, else it is closed. Idempotent.
     */
    void end(boolean failed, boolean reusable) {
        if (ended) {
            return;
        }
        ended = true;
        endpoint.attemptEnded();
        listener.upstream().outcome(endpoint, failed);
        if (channel != null) {
            relay.detach();
            if (reusable) {
                // Backpressure from a slow caller may have paused it; an idle pooled connection must read,
                // or the upstream closing it (or stray bytes) would go unnoticed until it is reused.
                AutoRead.set(channel, true);
            }
            listener.connections().release(channel, reusable);
        }
    }

    @Override
    public void upstreamResponse(HttpResponse response) {
        if (!ended) {
            listener.responseHead(this, response);
        }
    }

    @Override
    public void upstreamContent(HttpContent content) {
        if (ended) {
            content.release();
            return;
        }
        listener.responseContent(this, content);
    }

    @Override
    public void upstreamReadComplete() {
        if (!ended) {
            listener.responseReadComplete();
        }
    }

    @Override
    public void upstreamWritable(boolean writable) {
        if (!ended) {
            listener.upstreamWritable(writable);
        }
    }

    @Override
    public void upstreamFailed(Throwable cause) {
        if (ended) {
            return;
        }
        if (cause instanceof UpstreamProtocolException protocol) {
            listener.attemptFailed(this, AttemptFailure.protocolError(), "upstream " + listener.upstream().name() + " at "
                    + endpoint.address() + " sent an invalid response: " + protocol.getMessage());
        } else {
            listener.attemptFailed(this, AttemptFailure.reset(), "upstream connection to " + listener.upstream().name()
                    + " closed before a complete response" + (cause == null ? "" : ": " + cause.getMessage()));
        }
    }
}
