package io.meshwork.proxy.http;

import io.meshwork.proxy.resilience.AttemptFailure;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxy.upstream.ConnectionStats;
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
        /** The connection is ready and the request's head and body so far are written. */
        void attemptConnected(UpstreamAttempt attempt);

        void responseHead(UpstreamAttempt attempt, HttpResponse response);

        void responseContent(UpstreamAttempt attempt, HttpContent content);

        void responseReadComplete();

        void upstreamWritable(boolean writable);

        /** The attempt failed; {@code detail} says how, for the caller's error message. */
        void attemptFailed(UpstreamAttempt attempt, AttemptFailure failure, String detail);
    }

    private final Listener listener;
    private final UpstreamConnections connections;
    private final Upstream upstream;
    private final EndpointState endpoint;
    private Channel channel;
    private UpstreamRelayHandler relay;
    private boolean ended;
    /** Told of the connections this attempt opens: its route target's meter. */
    private final ConnectionStats stats;

    UpstreamAttempt(Listener listener, UpstreamConnections connections, Upstream upstream, EndpointState endpoint,
                    ConnectionStats stats) {
        this.listener = listener;
        this.stats = stats;
        this.connections = connections;
        this.upstream = upstream;
        this.endpoint = endpoint;
        endpoint.attemptStarted();
    }

    EndpointState endpoint() {
        return endpoint;
    }

    boolean connected() {
        return channel != null;
    }

    /** Takes a connection (at once if one is ready: a pooled one, or a stream on an open HTTP/2 connection) and sends {@code head} with the body parts from {@code body}. */
    void start(HttpRequest head, ReplayableBody body, boolean http2, TlsContexts.Origination tls, boolean flush) {
        Channel ready = connections.ready(endpoint.address(), http2, tls);
        if (ready != null) {
            connected(ready, head, body, flush);
            return;
        }
        connections.acquire(endpoint.address(), http2, stats, tls).addListener(f -> ready(f, head, body));
    }

    private void ready(Future<?> f, HttpRequest head, ReplayableBody body) {
        if (ended) {
            // A connection for an attempt given up on: it is fine for the pool.
            if (f.isSuccess()) {
                Channel late = (Channel) f.getNow();
                connections.release(late, !(late instanceof Http2StreamChannel));
            }
            return;
        }
        if (!f.isSuccess()) {
            listener.attemptFailed(this, AttemptFailure.connectFailed(), "upstream connect error to " + upstream.name()
                    + " at " + endpoint.address() + ": " + f.cause().getMessage());
            return;
        }
        connected((Channel) f.getNow(), head, body, true);
    }

    private void connected(Channel ch, HttpRequest head, ReplayableBody body, boolean flush) {
        channel = ch;
        relay = UpstreamRelayHandler.of(ch);
        relay.attach(this);
        AutoRead.set(ch, true);
        // Nothing waits on these writes: a failure reaches the relay through the pipeline, as the attempt's failure.
        ch.write(head, ch.voidPromise());
        List<HttpContent> parts = body.forNewAttempt();
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
        upstream.outcome(endpoint, failed);
        if (channel != null) {
            relay.detach();
            if (reusable) {
                // Backpressure from a slow caller may have paused it; an idle pooled connection must read,
                // or the upstream closing it (or stray bytes) would go unnoticed until it is reused.
                AutoRead.set(channel, true);
            }
            connections.release(channel, reusable);
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
            listener.attemptFailed(this, AttemptFailure.protocolError(), "upstream " + upstream.name() + " at "
                    + endpoint.address() + " sent an invalid response: " + protocol.getMessage());
        } else {
            listener.attemptFailed(this, AttemptFailure.reset(), "upstream connection to " + upstream.name()
                    + " closed before a complete response" + (cause == null ? "" : ": " + cause.getMessage()));
        }
    }
}
