package io.meshwork.proxy.tcp;

import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.resilience.ConnectionLimits;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.tls.SubjectNames;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxy.upstream.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A TCP listener: for each accepted connection, pick an upstream (the local app, or an instance
 * of a TCP route's target), connect with reads paused, then relay both ways. A connection pool
 * limit refuses connections beyond it; an idle timeout closes a connection that carried no
 * byte either way for that long.
 */
public final class TcpProxyInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxyInitializer.class);

    /**
     * Where one accepted connection goes.
     *
     * @param upstream   the instances to pick from
     * @param idleMillis close after this long without traffic; 0 for never
     * @param limits     the connection pool limit, or null
     * @param tls        how to open TLS to the upstream (a client policy, or a server that takes TLS), or null
     * @param meter      counts the connection, its bytes and how long it lasted
     */
    public record Target(Upstream upstream, long idleMillis, ConnectionLimits limits, TlsContexts.Origination tls,
                         TrafficMeter meter) {
        /** Counted nowhere: for tests. */
        public Target(Upstream upstream, long idleMillis, ConnectionLimits limits) {
            this(upstream, idleMillis, limits, null, TrafficMeter.NONE);
        }
    }

    private final Function<Channel, Target> targets;
    private final ChannelFactory<? extends SocketChannel> channels;
    private final ResilienceEvents events;

    public TcpProxyInitializer(Function<Channel, Target> targets, ChannelFactory<? extends SocketChannel> channels,
                               ResilienceEvents events) {
        this.targets = targets;
        this.channels = channels;
        this.events = events;
    }

    @Override
    protected void initChannel(Channel downstream) {
        downstream.config().setAutoRead(false);
        Target target = targets.apply(downstream);
        EndpointState endpoint = target == null ? null : target.upstream().pick(List.of());
        if (endpoint == null) {
            downstream.close();
            return;
        }
        String cluster = target.upstream().name();
        ConnectionLimits limits = target.limits();
        if (limits != null) {
            if (!limits.tryAcquire()) {
                events.overflowed(cluster, "connections");
                downstream.close();
                return;
            }
            downstream.closeFuture().addListener(f -> limits.release());
        }
        if (target.idleMillis() > 0) {
            downstream.pipeline().addLast("idle", new IdleStateHandler(0, 0, target.idleMillis(), TimeUnit.MILLISECONDS) {
                @Override
                protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                    ctx.close();
                }
            });
        }
        long acceptedNanos = System.nanoTime();
        TrafficMeter meter = target.meter();
        endpoint.attemptStarted();
        downstream.closeFuture().addListener(f -> endpoint.attemptEnded());
        TlsContexts.Origination tls = target.tls();
        SslHandler[] ssl = new SslHandler[1];
        int epoch = endpoint.connectEpoch();
        ChannelFuture connect = new Bootstrap().group(downstream.eventLoop()).channelFactory(channels)
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel upstream) {
                        if (tls != null) {
                            ssl[0] = tls.context().newHandler(upstream.alloc(), endpoint.address().getHostString(),
                                    endpoint.address().getPort());
                            upstream.pipeline().addLast("tls", ssl[0]);
                        }
                        upstream.pipeline().addLast("relay", new TcpRelayHandler(downstream, meter::sent));
                    }
                }).connect(endpoint.address());
        // A client gone while the connection (or its TLS handshake) was under way takes it along.
        downstream.closeFuture().addListener(f -> connect.channel().close());
        connect.addListener(f -> {
            if (f.isSuccess() && ssl[0] != null) {
                // Bytes flow only once the server is who the client policy says (SslHandler buffers writes until then).
                ssl[0].handshakeFuture().addListener(h -> {
                    String refusal = h.isSuccess() ? SubjectNames.refusal(ssl[0], tls.subjectAlternativeNames())
                            : "TLS handshake failed: " + h.cause();
                    if (!downstream.isActive()) {
                        return; // the client left, which closed the connection: nothing learnt about the instance
                    }
                    if (refusal != null) {
                        LOG.info("tcp upstream {} refused: {}", endpoint.address(), refusal);
                        target.upstream().outcome(endpoint, true);
                        target.upstream().connectOutcome(endpoint, false, epoch);
                        connect.channel().close();
                        downstream.close();
                    } else {
                        target.upstream().connectOutcome(endpoint, true, epoch);
                    }
                });
            }
            if (f.isSuccess() || downstream.isActive()) { // a client that left closed the connection under way
                target.upstream().outcome(endpoint, !f.isSuccess());
                if (!f.isSuccess() || ssl[0] == null) { // with TLS, a connection opens with its handshake (above)
                    target.upstream().connectOutcome(endpoint, f.isSuccess(), epoch);
                }
            }
            if (f.isSuccess()) {
                meter.opened();
                connect.channel().closeFuture().addListener(c -> {
                    meter.closed();
                    meter.tcpConnectionEnded(System.nanoTime() - acceptedNanos);
                });
                downstream.pipeline().addLast("relay", new TcpRelayHandler(connect.channel(), meter::received));
                downstream.read();
            } else {
                meter.failed();
                LOG.debug("tcp upstream {} unreachable: {}", endpoint.address(), f.cause().toString());
                downstream.close();
            }
        });
    }

}
