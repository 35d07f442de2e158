package io.meshwork.proxy.upstream;

import io.meshwork.proxy.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;

/**
 * Where an exchange gets its upstream connections: pooled per event loop in the proxy, scripted
 * channels in tests. Every channel handed out ends in an {@link UpstreamRelayHandler} behind
 * HTTP message codecs and an {@link UpstreamResponseGuardHandler}: the caller writes and reads
 * {@code HttpObject}s whatever the protocol. Called on the event loop it belongs to.
 */
public interface UpstreamConnections {
    /** An idle pooled HTTP/1.1 connection to {@code endpoint}, or null: the fast path, no future. */
    Channel pooled(InetSocketAddress endpoint, TlsContexts.Origination tls);

    /**
     * A channel ready for one exchange at once, or null (then {@link #acquire} waits for one): an
     * idle pooled HTTP/1.1 connection, or a new stream on an HTTP/2 connection that is already open.
     */
    default Channel ready(InetSocketAddress endpoint, boolean http2, TlsContexts.Origination tls) {
        return http2 ? null : pooled(endpoint, tls);
    }

    /**
     * A channel ready for one exchange: a pooled or new HTTP/1.1 connection, or a new HTTP/2 stream;
     * a connection it opens for it is counted in {@code stats}.
     */
    Future<Channel> acquire(InetSocketAddress endpoint, boolean http2, ConnectionStats stats, TlsContexts.Origination tls);

    /** Gives a channel back after its exchange; only a {@code reusable} HTTP/1.1 connection waits for the next one. */
    void release(Channel channel, boolean reusable);
}
