package io.meshwork.proxy.health;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Sends one health check: a TCP connect, an HTTP/1.1 or h2c GET of the path (2xx passes), or
 * the standard gRPC health check ({@code grpc.health.v1.Health/Check}, SERVING passes). Each
 * check uses a new connection, as Envoy's checker did, so it also proves the instance accepts
 * connections.
 */
public final class HealthProbe {
    private static final byte[] GRPC_EMPTY_REQUEST = {0, 0, 0, 0, 0};

    private final EventLoop loop;
    private final ChannelFactory<? extends SocketChannel> sockets;

    public HealthProbe(EventLoop loop, ChannelFactory<? extends SocketChannel> sockets) {
        this.loop = loop;
        this.sockets = sockets;
    }

    /** Completes with null when the check passed, or with what went wrong. */
    public Promise<String> probe(InetSocketAddress address, HealthCheck check) {
        Promise<String> result = loop.newPromise();
        Protocol protocol = check.protocol() == null ? Protocol.HTTP : check.protocol();
        Bootstrap bootstrap = new Bootstrap().group(loop).channelFactory(sockets)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, check.timeoutMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (protocol == Protocol.HTTP) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                    new ResponseHandler(result, false));
                        } else if (protocol != Protocol.TCP) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    }
                });
        ChannelFuture connect = bootstrap.connect(address);
        Channel channel = connect.channel();
        var timeout = loop.schedule(() -> result.trySuccess("no answer within " + check.timeoutMillis() + " ms"),
                check.timeoutMillis(), TimeUnit.MILLISECONDS);
        result.addListener(f -> {
            timeout.cancel(false);
            channel.close();
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.trySuccess("connect failed: " + f.cause().getMessage());
                return;
            }
            switch (protocol) {
                case TCP -> result.trySuccess(null);
                case HTTP -> channel.writeAndFlush(request(HttpMethod.GET, check.path(), address, null));
                case HTTP2, GRPC -> openStream(channel, protocol, check, address, result);
            }
        });
        return result;
    }

    private static void openStream(Channel connection, Protocol protocol, HealthCheck check, InetSocketAddress address,
                                   Promise<String> result) {
        boolean grpc = protocol == Protocol.GRPC;
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(64 * 1024),
                        new ResponseHandler(result, grpc));
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                result.trySuccess("could not open an HTTP/2 stream: " + f.cause().getMessage());
                return;
            }
            Channel stream = (Channel) f.getNow();
            FullHttpRequest request = grpc
                    ? request(HttpMethod.POST, "/grpc.health.v1.Health/Check", address, GRPC_EMPTY_REQUEST)
                    : request(HttpMethod.GET, check.path(), address, null);
            if (grpc) {
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc").set(HttpHeaderNames.TE, "trailers");
            }
            stream.writeAndFlush(request);
        });
    }

    private static FullHttpRequest request(HttpMethod method, String path, InetSocketAddress address, byte[] body) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path == null || path.isEmpty() ? "/" : path,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, address.getAddress().getHostAddress() + ":" + address.getPort())
                .set(HttpHeaderNames.USER_AGENT, "meshwork-health-check").setInt(HttpHeaderNames.CONTENT_LENGTH,
                        request.content().readableBytes());
        return request;
    }

    /** Judges the one response: 2xx for HTTP; grpc-status 0 and a SERVING message for gRPC. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Promise<String> result;
        private final boolean grpc;

        ResponseHandler(Promise<String> result, boolean grpc) {
            this.result = result;
            this.grpc = grpc;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            int status = response.status().code();
            if (status < 200 || status > 299) {
                result.trySuccess("status " + status);
                return;
            }
            if (!grpc) {
                result.trySuccess(null);
                return;
            }
            String grpcStatus = response.trailingHeaders().get("grpc-status", response.headers().get("grpc-status"));
            if (!"0".equals(grpcStatus)) {
                result.trySuccess("grpc-status " + grpcStatus);
                return;
            }
            // HealthCheckResponse { status = 1 (SERVING) }: a 5-byte gRPC frame header, then field 1 as a varint.
            var body = response.content();
            boolean serving = body.readableBytes() >= 7 && body.getByte(body.readerIndex() + 5) == 0x08
                    && body.getByte(body.readerIndex() + 6) == 0x01;
            result.trySuccess(serving ? null : "not SERVING");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.trySuccess("connection closed before a response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess("failed: " + cause.getMessage());
            ctx.close();
        }
    }
}
