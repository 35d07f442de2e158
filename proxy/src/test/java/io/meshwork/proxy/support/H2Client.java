package io.meshwork.proxy.support;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An HTTP/2 client with prior knowledge (as gRPC clients speak h2c), one stream per request. */
public final class H2Client implements AutoCloseable {
    /** Status, headers, body and trailers of one response. */
    public record Response(int status, Map<String, String> headers, String body, Map<String, String> trailers) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    public H2Client(String address, int port) {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        }).connect(address, port).syncUninterruptibly().channel();
    }

    public Response send(String method, String authority, String path, Map<String, String> headers, byte[] body) throws Exception {
        return sendAsync(method, authority, path, headers, body).get(10, TimeUnit.SECONDS);
    }

    /** Sends one request on a new stream; many may be in flight on the connection at once. */
    public CompletableFuture<Response> sendAsync(String method, String authority, String path, Map<String, String> headers,
                                                byte[] body) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Channel stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                Map<String, String> h = new java.util.TreeMap<>();
                                r.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
                                Map<String, String> t = new java.util.TreeMap<>();
                                r.trailingHeaders().forEach(e -> t.put(e.getKey().toLowerCase(), e.getValue()));
                                result.complete(new Response(r.status().code(), h, r.content().toString(StandardCharsets.UTF_8), t));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.completeExceptionally(cause);
                            }
                        });
            }
        }).open().syncUninterruptibly().getNow();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, authority);
        headers.forEach((k, v) -> request.headers().set(k, v));
        stream.writeAndFlush(request);
        return result;
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
