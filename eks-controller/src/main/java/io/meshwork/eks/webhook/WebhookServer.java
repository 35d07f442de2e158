package io.meshwork.eks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.SnapshotJson;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The admission webhooks over HTTPS, plus {@code /healthz} and {@code /readyz} for the
 * Deployment's probes. Netty, so that a client that connects and stalls (in the TLS handshake, or
 * sending a body it never finishes) costs a socket, not a thread, and is cut off after
 * {@link #IDLE_SECONDS}: with {@code failurePolicy: Fail} a stalled webhook would stop every pod
 * creation in meshed namespaces.
 */
public final class WebhookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
    /** The API server sends objects of at most 3 MiB; an AdmissionReview wraps one or two. */
    private static final int MAX_BODY = 8 * 1024 * 1024;
    /** The API server's own webhook timeout is at most 30 s (10 s by default). */
    static final int IDLE_SECONDS = 10;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel channel;

    public WebhookServer(InetSocketAddress address, SslContext tls, AdmissionHandler handler, BooleanSupplier ready) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        var ssl = tls.newHandler(ch.alloc());
                        ssl.setHandshakeTimeout(IDLE_SECONDS, TimeUnit.SECONDS);
                        ch.pipeline().addLast(ssl,
                                new IdleStateHandler(IDLE_SECONDS, 0, 0),
                                new HttpServerCodec(),
                                new HttpObjectAggregator(MAX_BODY),
                                new Requests(handler, ready));
                    }
                });
        try {
            channel = bootstrap.bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + address, e);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** One request at a time per connection; the answer closes nothing the client wants kept. */
    private static final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AdmissionHandler handler;
        private final BooleanSupplier ready;

        Requests(AdmissionHandler handler, BooleanSupplier ready) {
            this.handler = handler;
            this.ready = ready;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            } else if (path.equals("/healthz")) {
                response = text(HttpResponseStatus.OK, "ok");
            } else if (path.equals("/readyz")) {
                boolean isReady = ready.getAsBoolean();
                response = text(isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        isReady ? "ok" : "informers not synced yet");
            } else if (!AdmissionHandler.serves(path)) {
                response = text(HttpResponseStatus.NOT_FOUND, "no webhook at " + path);
            } else if (!request.method().equals(HttpMethod.POST)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "webhooks take POST");
            } else {
                response = review(path, request);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request) && response.status().code() < 400;
            HttpUtil.setKeepAlive(response, keepAlive);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse review(String path, FullHttpRequest request) {
            JsonNode review;
            try (InputStream in = new ByteBufInputStream(request.content())) {
                review = SnapshotJson.mapper().readTree(in);
            } catch (IOException e) {
                return text(HttpResponseStatus.BAD_REQUEST, "the body is not JSON: " + e.getMessage());
            }
            try {
                byte[] body = handler.handle(path, review).toString().getBytes(StandardCharsets.UTF_8);
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(body));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                return response;
            } catch (InjectionRefusedException e) {
                return text(HttpResponseStatus.BAD_REQUEST, e.getMessage());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                ctx.close(); // a client that sends nothing for IDLE_SECONDS
                return;
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("webhook connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
