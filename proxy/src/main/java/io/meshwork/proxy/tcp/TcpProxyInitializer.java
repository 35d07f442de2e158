package io.meshwork.proxy.tcp;

import io.meshwork.proxy.upstream.UpstreamStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * A TCP listener: for each accepted connection, pick an upstream (the local app, or an endpoint
 * of a TCP route's target), connect with reads paused, then relay both ways.
 */
public final class TcpProxyInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxyInitializer.class);

    /** Where one accepted connection goes: an address and a name for stats, or null to refuse it. */
    public record Target(InetSocketAddress address, String cluster) {
    }

    private final Function<Channel, Target> targets;
    private final ChannelFactory<? extends SocketChannel> channels;
    private final UpstreamStats stats;

    public TcpProxyInitializer(Function<Channel, Target> targets, ChannelFactory<? extends SocketChannel> channels,
                               UpstreamStats stats) {
        this.targets = targets;
        this.channels = channels;
        this.stats = stats;
    }

    @Override
    protected void initChannel(Channel downstream) {
        downstream.config().setAutoRead(false);
        Target target = targets.apply(downstream);
        if (target == null) {
            downstream.close();
            return;
        }
        ChannelFuture connect = new Bootstrap().group(downstream.eventLoop()).channelFactory(channels)
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new TcpRelayHandler(downstream)).connect(target.address());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                stats.connected(target.cluster());
                connect.channel().closeFuture().addListener(c -> stats.disconnected(target.cluster()));
                downstream.pipeline().addLast("relay", new TcpRelayHandler(connect.channel()));
                downstream.read();
            } else {
                stats.connectFailed(target.cluster());
                LOG.debug("tcp upstream {} unreachable: {}", target.address(), f.cause().toString());
                downstream.close();
            }
        });
    }
}
