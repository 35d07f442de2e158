package io.meshwork.proxy.upstream;

import io.meshwork.proxy.http1.UpstreamHttp1Codec;
import io.meshwork.proxy.http2.Http2FrameCodecs;
import io.meshwork.proxy.http2.Http2StreamCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.meshwork.proxy.tls.SubjectNames;
import io.meshwork.proxy.tls.TlsContexts;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLException;
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
 * (h2c) there is one connection per endpoint and each exchange is a stream on it.
 */
final class UpstreamConnector implements UpstreamConnections {
    private static final int MAX_IDLE_PER_ENDPOINT = 64;
    /** The TLS settings a connection was opened with: reused only while they are the ones in force. */
    private static final io.netty.util.AttributeKey<TlsContexts.Origination> ORIGINATION = io.netty.util.AttributeKey.valueOf("meshwork.tls");
    /** Opens the streams of one HTTP/2 connection: made once per connection, not once per stream. */
    private static final io.netty.util.AttributeKey<Http2StreamChannelBootstrap> STREAMS = io.netty.util.AttributeKey.valueOf("meshwork.h2.streams");
    /** HTTP/2 frames to and from HTTP objects; it keeps nothing per stream, so one serves every stream. */
    private static final Http2StreamCodec STREAM_CODEC = new Http2StreamCodec(false);
    /** The pipeline of every upstream HTTP/2 stream; shared, as it keeps nothing per stream either. */
    private static final ChannelInitializer<Channel> STREAM_PIPELINE = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel stream) {
            stream.pipeline().addLast("http", STREAM_CODEC);
            stream.pipeline().addLast(UpstreamResponseGuardHandler.NAME, new UpstreamResponseGuardHandler());
            stream.pipeline().addLast(UpstreamRelayHandler.NAME, new UpstreamRelayHandler());
        }
    };

    private final EventLoop loop;
    private final Bootstrap http1;
    private final Bootstrap http2;
    private final Map<SocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();
    private final Map<SocketAddress, Future<Channel>> http2Connections = new HashMap<>();
    // TLS connections are pooled apart: a policy change must not hand a plaintext connection to a TLS exchange.
    private final Map<SocketAddress, ArrayDeque<Channel>> idleTls = new HashMap<>();
    private final Map<SocketAddress, Future<Channel>> http2TlsConnections = new HashMap<>();

    UpstreamConnector(EventLoop loop, ChannelFactory<? extends SocketChannel> channels,
                      AddressResolverGroup<? extends SocketAddress> resolver) {
        this.loop = loop;
        this.http1 = base(loop, channels, resolver).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("http", UpstreamHttp1Codec.forUpstream());
                ch.pipeline().addLast(UpstreamResponseGuardHandler.NAME, new UpstreamResponseGuardHandler());
                ch.pipeline().addLast(UpstreamRelayHandler.NAME, new UpstreamRelayHandler());
            }
        });
        this.http2 = base(loop, channels, resolver).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // Requests go out while a caller's connection is read, one stream after another: one
                // write per event-loop turn for all of them, not one per stream.
                ch.pipeline().addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
                ch.pipeline().addLast("h2", Http2FrameCodecs.client());
                ch.pipeline().addLast("streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                ch.pipeline().addLast("errors", Http2ConnectionErrorHandler.INSTANCE);
            }
        });
    }

    private static Bootstrap base(EventLoop loop, ChannelFactory<? extends SocketChannel> channels,
                                  AddressResolverGroup<? extends SocketAddress> resolver) {
        return new Bootstrap().group(loop).channelFactory(channels).resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    }

    @Override
    public Future<Channel> acquire(InetSocketAddress endpoint, boolean useHttp2, ConnectionStats stats, TlsContexts.Origination tls) {
        return useHttp2 ? openStream(endpoint, stats, tls) : http1(endpoint, stats, tls);
    }

    @Override
    public Channel ready(InetSocketAddress endpoint, boolean useHttp2, TlsContexts.Origination tls) {
        if (!useHttp2) {
            return pooled(endpoint, tls);
        }
        Future<Channel> connection = (tls == null ? http2Connections : http2TlsConnections).get(endpoint);
        if (connection == null || !usable(connection, tls)) {
            return null; // acquire() waits for it, or replaces it
        }
        // On the connection's event loop the stream opens at once; anything else goes the slow way.
        Future<Http2StreamChannel> opened = streams(connection.getNow()).open();
        if (opened.isDone()) {
            return opened.isSuccess() ? opened.getNow() : null;
        }
        opened.addListener(f -> {
            if (f.isSuccess()) {
                ((Channel) f.getNow()).close();
            }
        });
        return null;
    }

    /** An HTTP/2 connection that is open, with the TLS policy asked for (a policy change must not reuse it). */
    private static boolean usable(Future<Channel> connection, TlsContexts.Origination tls) {
        if (!connection.isSuccess()) {
            return false;
        }
        Channel ch = connection.getNow();
        return ch.isActive() && (tls == null || ch.attr(ORIGINATION).get() == tls);
    }

    private static Http2StreamChannelBootstrap streams(Channel connection) {
        Http2StreamChannelBootstrap streams = connection.attr(STREAMS).get();
        if (streams == null) {
            streams = new Http2StreamChannelBootstrap(connection).handler(STREAM_PIPELINE);
            connection.attr(STREAMS).set(streams);
        }
        return streams;
    }

    @Override
    public Channel pooled(InetSocketAddress endpoint, TlsContexts.Origination tls) {
        ArrayDeque<Channel> pool = (tls == null ? idle : idleTls).get(endpoint);
        if (pool != null) {
            Channel ch;
            while ((ch = pool.pollLast()) != null) {
                if (!ch.isActive()) {
                    continue;
                }
                if (tls != null && ch.attr(ORIGINATION).get() != tls) {
                    ch.close(); // opened under a policy or certificate no longer in force
                    continue;
                }
                return ch;
            }
        }
        return null;
    }

    @Override
    public void release(Channel channel, boolean reusable) {
        if (channel instanceof Http2StreamChannel) {
            if (channel.isActive()) {
                channel.close();
            }
            return;
        }
        SocketAddress endpoint = channel.remoteAddress();
        Map<SocketAddress, ArrayDeque<Channel>> pools = channel.pipeline().get(SslHandler.class) == null ? idle : idleTls;
        ArrayDeque<Channel> pool = endpoint == null ? null : pools.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        if (reusable && channel.isActive() && pool != null && pool.size() < MAX_IDLE_PER_ENDPOINT) {
            pool.addLast(channel);
        } else {
            channel.close();
        }
    }

    private Future<Channel> http1(InetSocketAddress endpoint, ConnectionStats stats, TlsContexts.Origination tls) {
        Channel pooled = pooled(endpoint, tls);
        if (pooled != null) {
            return loop.newSucceededFuture(pooled);
        }
        Promise<Channel> promise = loop.newPromise();
        Map<SocketAddress, ArrayDeque<Channel>> pools = tls == null ? idle : idleTls;
        connect(http1, endpoint, tls).addListener(f -> {
            if (!f.isSuccess()) {
                stats.failed();
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = (Channel) f.getNow();
            stats.opened();
            ch.closeFuture().addListener(c -> {
                stats.closed();
                ArrayDeque<Channel> p = pools.get(endpoint);
                if (p != null) {
                    p.remove(ch);
                }
            });
            promise.trySuccess(ch);
        });
        return promise;
    }

    /**
     * A connected channel; with TLS, only once the handshake is done and the server's certificate
     * carries one of the names the client policy lists (App Mesh's subjectAlternativeNames).
     */
    private Future<Channel> connect(Bootstrap bootstrap, InetSocketAddress endpoint, TlsContexts.Origination tls) {
        Promise<Channel> ready = loop.newPromise();
        if (tls == null) {
            bootstrap.connect(endpoint).addListener(f -> {
                if (f.isSuccess()) {
                    ready.trySuccess(((io.netty.channel.ChannelFuture) f).channel());
                } else {
                    ready.tryFailure(f.cause());
                }
            });
            return ready;
        }
        // TLS goes in before the protocol handlers see the channel become active (HTTP/2 writes its preface then).
        ChannelHandler protocol = bootstrap.config().handler();
        SslHandler[] handler = new SslHandler[1];
        bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                handler[0] = tls.context().newHandler(ch.alloc(), endpoint.getHostString(), endpoint.getPort());
                ch.pipeline().addLast("tls", handler[0]);
                ch.pipeline().addLast(protocol);
            }
        }).connect(endpoint).addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            SslHandler ssl = handler[0];
            ssl.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    ch.close();
                    ready.tryFailure(new SSLException("TLS handshake with " + endpoint + " failed: " + h.cause().getMessage(), h.cause()));
                    return;
                }
                String refusal = SubjectNames.refusal(ssl, tls.subjectAlternativeNames());
                if (refusal != null) {
                    ch.close();
                    ready.tryFailure(new SSLException(endpoint + " refused: " + refusal));
                    return;
                }
                ch.attr(ORIGINATION).set(tls);
                ready.trySuccess(ch);
            });
        });
        return ready;
    }


    private Future<Channel> openStream(InetSocketAddress endpoint, ConnectionStats stats, TlsContexts.Origination tls) {
        Map<SocketAddress, Future<Channel>> connections = tls == null ? http2Connections : http2TlsConnections;
        Future<Channel> connection = connections.get(endpoint);
        if (connection == null || (connection.isDone() && !usable(connection, tls))) {
            Promise<Channel> connecting = loop.newPromise();
            connect(http2, endpoint, tls).addListener(f -> {
                if (f.isSuccess()) {
                    Channel ch = (Channel) f.getNow();
                    stats.opened();
                    ch.closeFuture().addListener(c -> {
                        stats.closed();
                        connections.remove(endpoint, connecting);
                    });
                    connecting.trySuccess(ch);
                } else {
                    stats.failed();
                    connections.remove(endpoint, connecting);
                    connecting.tryFailure(f.cause());
                }
            });
            connections.put(endpoint, connecting);
            connection = connecting;
        }
        Promise<Channel> stream = loop.newPromise();
        connection.addListener(f -> {
            if (!f.isSuccess()) {
                stream.tryFailure(f.cause());
                return;
            }
            streams((Channel) f.getNow()).open().addListener(s -> {
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
