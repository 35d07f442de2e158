package io.meshwork.proxy.upstream;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.AddressResolverGroup;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The upstream connections of each event loop: no lock is taken on the request path. */
@FunctionalInterface
public interface UpstreamConnectors {
    UpstreamConnections forLoop(EventLoop loop);

    /** One connection pool ({@link UpstreamConnector}) per event loop, created on first use. */
    static UpstreamConnectors pooled(ChannelFactory<? extends SocketChannel> channels,
                                     AddressResolverGroup<? extends SocketAddress> resolver) {
        Map<EventLoop, UpstreamConnector> byLoop = new ConcurrentHashMap<>();
        return loop -> {
            UpstreamConnector connector = byLoop.get(loop); // no capturing lambda per request once it exists
            return connector != null ? connector : byLoop.computeIfAbsent(loop, l -> new UpstreamConnector(l, channels, resolver));
        };
    }
}
