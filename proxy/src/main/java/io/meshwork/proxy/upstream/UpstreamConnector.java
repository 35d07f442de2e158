package io.meshwork.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.meshwork.proxy.http.UpstreamRelayHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Connections to upstream endpoints, owned by one event loop so that no lock is taken on the
 * request path. HTTP/1.1 connections are pooled and reused one exchange at a time; for HTTP/2
 * (h2c) there is one connection per endpoint and each exchange is a stream on it. Every
 * channel it hands out has HTTP message codecs in place: the caller reads and writes
 * {@code HttpObject}s whatever the protocol.
 */
public final class UpstreamConnector {
    private static final int MAX_IDLE_PER_ENDPOINT = 64;

    private final EventLoop loop;
    private final Bootstrap http1;
    private final Bootstrap http2;
    private final UpstreamStats stats;
    private final Map<SocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();
    private final Map<SocketAddress, Future<Channel>> http2Connections = new HashMap<>();

    UpstreamConnector(EventLoop loop, ChannelFactory<? extends SocketChannel> channels,
                      AddressResolverGroup<? extends SocketAddress> resolver, UpstreamStats stats) {
        this.loop = loop;
        this.stats = stats;
        this.http1 = base(loop, channels, resolver).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("http", new HttpClientCodec(8192, 65536, 65536));
                ch.pipeline().addLast(UpstreamRelayHandler.NAME, new UpstreamRelayHandler());
            }
        });
        this.http2 = base(loop, channels, resolver).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("h2", Http2FrameCodecBuilder.forClient().autoAckPingFrame(true).build());
                ch.pipeline().addLast("streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        });
    }

    private static Bootstrap base(EventLoop loop, ChannelFactory<? extends SocketChannel> channels,
                                  AddressResolverGroup<? extends SocketAddress> resolver) {
        return new Bootstrap().group(loop).channelFactory(channels).resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    }

    /** A channel to {@code endpoint} ready for one exchange; must be called on this connector's loop. */
    public Future<Channel> acquire(InetSocketAddress endpoint, boolean useHttp2, String cluster) {
        return useHttp2 ? openStream(endpoint, cluster) : http1(endpoint, cluster);
    }

    /** An idle pooled HTTP/1.1 connection to {@code endpoint}, or null: the fast path, no future. */
    public Channel pooled(InetSocketAddress endpoint) {
        ArrayDeque<Channel> pool = idle.get(endpoint);
        if (pool != null) {
            Channel ch;
            while ((ch = pool.pollLast()) != null) {
                if (ch.isActive()) {
                    return ch;
                }
            }
        }
        return null;
    }

    /** Gives back a channel after its exchange; a reusable HTTP/1.1 connection waits for the next one. */
    public void release(Channel channel, boolean reusable) {
        if (channel instanceof Http2StreamChannel) {
            if (channel.isActive()) {
                channel.close();
            }
            return;
        }
        SocketAddress endpoint = channel.remoteAddress();
        ArrayDeque<Channel> pool = endpoint == null ? null : idle.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        if (reusable && channel.isActive() && pool != null && pool.size() < MAX_IDLE_PER_ENDPOINT) {
            pool.addLast(channel);
        } else {
            channel.close();
        }
    }

    private Future<Channel> http1(InetSocketAddress endpoint, String cluster) {
        Channel pooled = pooled(endpoint);
        if (pooled != null) {
            return loop.newSucceededFuture(pooled);
        }
        Promise<Channel> promise = loop.newPromise();
        http1.connect(endpoint).addListener(f -> {
            if (!f.isSuccess()) {
                stats.connectFailed(cluster);
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            stats.connected(cluster);
            ch.closeFuture().addListener(c -> {
                stats.disconnected(cluster);
                ArrayDeque<Channel> p = idle.get(endpoint);
                if (p != null) {
                    p.remove(ch);
                }
            });
            promise.trySuccess(ch);
        });
        return promise;
    }

    private Future<Channel> openStream(InetSocketAddress endpoint, String cluster) {
        Future<Channel> connection = http2Connections.get(endpoint);
        if (connection == null || (connection.isDone() && (!connection.isSuccess() || !connection.getNow().isActive()))) {
            Promise<Channel> connecting = loop.newPromise();
            http2.connect(endpoint).addListener(f -> {
                if (f.isSuccess()) {
                    Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                    stats.connected(cluster);
                    ch.closeFuture().addListener(c -> {
                        stats.disconnected(cluster);
                        http2Connections.remove(endpoint, connecting);
                    });
                    connecting.trySuccess(ch);
                } else {
                    stats.connectFailed(cluster);
                    http2Connections.remove(endpoint, connecting);
                    connecting.tryFailure(f.cause());
                }
            });
            http2Connections.put(endpoint, connecting);
            connection = connecting;
        }
        Promise<Channel> stream = loop.newPromise();
        connection.addListener(f -> {
            if (!f.isSuccess()) {
                stream.tryFailure(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap((Channel) f.getNow()).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel stream) {
                    stream.pipeline().addLast("http", new Http2StreamFrameToHttpObjectCodec(false));
                    stream.pipeline().addLast(UpstreamRelayHandler.NAME, new UpstreamRelayHandler());
                }
            }).open().addListener(s -> {
                        if (s.isSuccess()) {
                            stream.trySuccess((Channel) s.getNow());
                        } else {
                            stream.tryFailure(s.cause());
                        }
                    });
        });
        return stream;
    }
}
