package io.meshwork.proxy.upstream;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.AddressResolverGroup;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link UpstreamConnector} per event loop, created on first use. */
public final class UpstreamConnectors {
    private final Map<EventLoop, UpstreamConnector> byLoop = new ConcurrentHashMap<>();
    private final ChannelFactory<? extends SocketChannel> channels;
    private final AddressResolverGroup<? extends SocketAddress> resolver;
    private final UpstreamStats stats;

    public UpstreamConnectors(ChannelFactory<? extends SocketChannel> channels,
                              AddressResolverGroup<? extends SocketAddress> resolver, UpstreamStats stats) {
        this.channels = channels;
        this.resolver = resolver;
        this.stats = stats;
    }

    public UpstreamConnector forLoop(EventLoop loop) {
        return byLoop.computeIfAbsent(loop, l -> new UpstreamConnector(l, channels, resolver, stats));
    }
}
