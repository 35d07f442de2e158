package io.meshwork.proxy.support;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app behind a proxy, for end-to-end tests: answers every HTTP/1.1 or HTTP/2 (h2c) request
 * with a line naming itself and what it received; {@code /status/N} answers N,
 * {@code /slow?ms=N} answers after N ms; a request with {@code content-type: application/grpc}
 * gets a gRPC-shaped answer (a length-prefixed message and {@code grpc-status} trailers).
 * With {@code tcp} set it echoes bytes instead. It can be told to misbehave: fail a share of
 * requests with a status, stall (never answer), or fail its health check ({@code /health}).
 */
public final class TestBackend implements AutoCloseable {
    /** Trace headers the app echoes as {@code x-seen-<name>} response headers. */
    static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid",
            "x-b3-parentspanid", "x-b3-sampled", "x-amzn-trace-id");
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final String name;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile double failShare;
    private volatile int failStatus = 503;
    private volatile boolean stalled;
    private volatile int healthStatus = 200;

    private TestBackend(String name, InetSocketAddress address, boolean tcp) {
        this.name = name;
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tcp) {
                            ch.pipeline().addLast(new Echo());
                        } else {
                            ch.pipeline().addLast(new Detect());
                        }
                    }
                }).bind(address).syncUninterruptibly().channel();
    }

    public static TestBackend http(String name, String address, int port) {
        return new TestBackend(name, new InetSocketAddress(address, port), false);
    }

    public static TestBackend tcpEcho(String name, String address, int port) {
        return new TestBackend(name, new InetSocketAddress(address, port), true);
    }

    /** Requests answered so far, health checks not counted. */
    public int requests() {
        return requests.get();
    }

    /** From now on answers {@code share} (0–1) of requests with {@code status}. */
    public TestBackend failing(double share, int status) {
        this.failShare = share;
        this.failStatus = status;
        return this;
    }

    /** From now on answers nothing (or, with false, answers again). */
    public TestBackend stalled(boolean stalled) {
        this.stalled = stalled;
        return this;
    }

    /** What {@code /health} answers. */
    public TestBackend health(int status) {
        this.healthStatus = status;
        return this;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Detect extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            int n = Math.min(in.readableBytes(), preface.readableBytes());
            boolean h2 = io.netty.buffer.ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
            if (h2 && n < preface.readableBytes()) {
                return;
            }
            if (h2) {
                ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Http2MultiplexHandler(
                        new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel stream) {
                                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                        new HttpObjectAggregator(1 << 20), new Answer(true));
                            }
                        }));
            } else {
                ctx.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Answer(false));
            }
            ctx.pipeline().remove(this);
        }
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final boolean h2;

        Answer(boolean h2) {
            this.h2 = h2;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            if (uri.path().equals("/health")) {
                FullHttpResponse health = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(healthStatus));
                HttpUtil.setContentLength(health, 0);
                ctx.writeAndFlush(health);
                return;
            }
            requests.incrementAndGet();
            if (stalled) {
                return;
            }
            if ("application/grpc".equals(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
                grpc(ctx, request);
                return;
            }
            int status = 200;
            if (failShare > 0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < failShare) {
                status = failStatus;
            } else if (uri.path().startsWith("/status/")) {
                status = Integer.parseInt(uri.path().substring("/status/".length()));
            }
            long delay = uri.parameters().containsKey("ms") ? Long.parseLong(uri.parameters().get("ms").get(0)) : 0;
            String body = name + " " + request.method() + " " + request.uri() + " host=" + request.headers().get(HttpHeaderNames.HOST)
                    + " proto=" + (h2 ? "h2" : "h1") + " bytes=" + request.content().readableBytes() + "\n";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set("x-backend", name);
            // The names of the headers the app received, for tests of what a proxy adds or strips.
            response.headers().set("x-seen-headers", String.join(",", request.headers().names()).toLowerCase(java.util.Locale.ROOT));
            // What a tracing proxy put in front of the app: the app's view of the trace context.
            for (String traced : TRACE_HEADERS) {
                String value = request.headers().get(traced);
                if (value != null) {
                    response.headers().set("x-seen-" + traced, value);
                }
            }
            HttpUtil.setContentLength(response, response.content().readableBytes());
            boolean keepAlive = h2 || HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            Runnable send = () -> {
                var f = ctx.writeAndFlush(response);
                if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
            };
            if (delay > 0) {
                ctx.executor().schedule(send, delay, TimeUnit.MILLISECONDS);
            } else {
                send.run();
            }
        }

        /** Echoes the request message back in one gRPC frame, with trailers saying OK. */
        private void grpc(ChannelHandlerContext ctx, FullHttpRequest request) {
            DefaultHttpResponse headers = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            headers.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
            headers.headers().set("x-backend", name);
            DefaultHttpHeaders trailers = new DefaultHttpHeaders();
            trailers.set("grpc-status", "0");
            trailers.set("grpc-message", "served by " + name);
            DefaultLastHttpContent last = new DefaultLastHttpContent(request.content().retain());
            last.trailingHeaders().set(trailers);
            // x-delay-ms: a slow method, to see callers' deadlines at work.
            long delay = Long.parseLong(request.headers().get("x-delay-ms", "0"));
            ctx.executor().schedule(() -> {
                ctx.write(headers);
                ctx.writeAndFlush(last);
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }
}
