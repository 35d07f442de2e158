package io.meshwork.proxy.listener;

import io.meshwork.proxy.tcp.TcpRelayHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A TLS connection to a destination no backend has, under DROP_ALL: relayed unchanged to where
 * the app was connecting when its ClientHello names an AWS endpoint ({@code *.amazonaws.com}),
 * refused otherwise. The proxy never terminates this TLS; it reads only the server name
 * (Netty's SNI parsing), so the app still verifies AWS's certificate itself.
 */
final class AwsTlsPassthrough extends AbstractSniHandler<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(AwsTlsPassthrough.class);

    private final InetSocketAddress destination;
    private final ChannelFactory<? extends SocketChannel> sockets;

    AwsTlsPassthrough(InetSocketAddress destination, ChannelFactory<? extends SocketChannel> sockets) {
        this.destination = destination;
        this.sockets = sockets;
    }

    static boolean isAwsEndpoint(String serverName) {
        return serverName != null && serverName.toLowerCase(Locale.ROOT).endsWith(".amazonaws.com");
    }

    @Override
    protected Future<Channel> lookup(ChannelHandlerContext ctx, String hostname) {
        if (!isAwsEndpoint(hostname)) {
            return ctx.executor().newSucceededFuture(null);
        }
        Promise<Channel> connected = ctx.executor().newPromise();
        ChannelFuture connect = new Bootstrap().group(ctx.channel().eventLoop()).channelFactory(sockets)
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new TcpRelayHandler(ctx.channel())).connect(destination);
        // The app gone while this connected: nothing else would close the upstream.
        ctx.channel().closeFuture().addListener(f -> connect.channel().close());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                connected.trySuccess(connect.channel());
            } else {
                connected.tryFailure(f.cause());
            }
        });
        return connected;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<Channel> future) {
        if (!future.isSuccess() || future.getNow() == null) {
            LOG.debug("TLS connection to {} ({}) refused: egress filter DROP_ALL lets only AWS endpoints through{}", destination,
                    hostname == null ? "no server name" : hostname, future.isSuccess() ? "" : "; connecting failed: " + future.cause());
            ctx.close();
            return;
        }
        Channel upstream = future.getNow();
        // From here on bytes flow both ways, each read after the previous write went through.
        ctx.channel().config().setAutoRead(false);
        ctx.pipeline().addAfter(ctx.name(), "relay", new TcpRelayHandler(upstream));
        ctx.pipeline().remove(this);
    }
}
