package io.meshwork.proxy.http;

import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.upstream.ConnectionStats;
import io.meshwork.proxy.upstream.UpstreamConnections;
import io.meshwork.proxy.upstream.UpstreamConnectors;
import io.meshwork.proxy.http1.UpstreamHttp1Codec;
import io.meshwork.proxy.upstream.UpstreamRelayHandler;
import io.meshwork.proxy.upstream.UpstreamResponseGuardHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream connections for request-path tests: each new connection is an {@link EmbeddedChannel}
 * with the proxy's real upstream pipeline (HTTP/1.1 client codec, response guard, relay), so a
 * test reads the exact bytes the proxy sends and answers with raw bytes of its choosing,
 * hostile ones included. Released reusable connections are pooled per endpoint, as the proxy does.
 */
final class ScriptedUpstreams implements UpstreamConnectors, UpstreamConnections {
    /** One connection the exchange opened, and where to. */
    record Connection(InetSocketAddress endpoint, EmbeddedChannel channel) {
        /** What the proxy wrote on this connection so far. */
        String sent() {
            return drain(channel);
        }

        /** The upstream answers these bytes. */
        void answer(String raw) {
            channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
            channel.checkException();
        }
    }

    private final ByteBufAllocator alloc;
    private final List<Connection> opened = new ArrayList<>();
    private final Map<InetSocketAddress, List<EmbeddedChannel>> idle = new HashMap<>();
    private final Set<InetSocketAddress> refusing = new HashSet<>();
    private final List<Boolean> releases = new ArrayList<>();
    private Connection handedOut;

    ScriptedUpstreams(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Connections to {@code endpoint} fail from now on, as to a port nobody listens on. */
    void refuse(InetSocketAddress endpoint) {
        refusing.add(endpoint);
    }

    List<Connection> opened() {
        return opened;
    }

    /** The connection handed out last: new or pooled, the one the latest attempt uses. */
    Connection last() {
        return handedOut;
    }

    /** For each connection given back: whether it was reusable. */
    List<Boolean> releases() {
        return releases;
    }

    @Override
    public UpstreamConnections forLoop(EventLoop loop) {
        return this;
    }

    @Override
    public Channel pooled(InetSocketAddress endpoint, TlsContexts.Origination tls) {
        List<EmbeddedChannel> pool = idle.get(endpoint);
        while (pool != null && !pool.isEmpty()) {
            EmbeddedChannel ch = pool.remove(pool.size() - 1);
            if (ch.isActive()) {
                handedOut = opened.stream().filter(c -> c.channel() == ch).findFirst().orElseThrow();
                return ch;
            }
        }
        return null;
    }

    @Override
    public Future<Channel> acquire(InetSocketAddress endpoint, boolean http2, ConnectionStats stats, TlsContexts.Origination tls) {
        if (refusing.contains(endpoint)) {
            return ImmediateEventExecutor.INSTANCE.newFailedFuture(new java.net.ConnectException("Connection refused: " + endpoint));
        }
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast("http", UpstreamHttp1Codec.forUpstream());
        ch.pipeline().addLast(UpstreamResponseGuardHandler.NAME, new UpstreamResponseGuardHandler());
        ch.pipeline().addLast(UpstreamRelayHandler.NAME, new UpstreamRelayHandler());
        handedOut = new Connection(endpoint, ch);
        opened.add(handedOut);
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(ch);
    }

    @Override
    public void release(Channel channel, boolean reusable) {
        releases.add(reusable);
        InetSocketAddress endpoint = opened.stream().filter(c -> c.channel() == channel).findFirst().orElseThrow().endpoint();
        if (reusable && channel.isActive()) {
            idle.computeIfAbsent(endpoint, k -> new ArrayList<>()).add((EmbeddedChannel) channel);
        } else {
            channel.close();
        }
    }

    /** Closes every connection and drops what is left in them. */
    void closeAll() {
        for (Connection c : opened) {
            c.channel().finishAndReleaseAll();
        }
    }

    /** Everything written out on {@code ch} so far, as text (the buffers are released). */
    static String drain(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            if (m instanceof ByteBuf buf) {
                out.append(buf.toString(StandardCharsets.ISO_8859_1));
                buf.release();
            } else {
                io.netty.util.ReferenceCountUtil.release(m);
            }
        }
        return out.toString();
    }
}
