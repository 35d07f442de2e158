package io.meshwork.proxy.listener;

import io.meshwork.proxy.http.Http1PipeliningHandler;
import io.meshwork.proxy.http.HttpExchangeHandler;
import io.meshwork.proxy.http.MalformedRequestHandler;
import io.meshwork.proxy.http.RequestHeaderTimeoutHandler;
import io.meshwork.proxy.http.RequestPath;
import io.meshwork.proxy.http.StreamDeadlines;
import io.meshwork.proxy.http1.DownstreamHttp1Codec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.meshwork.proxy.http2.Http2FrameCodecs;
import io.meshwork.proxy.http2.Http2StreamCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The downstream HTTP pipelines, built from named steps: protocol detection, then either the
 * HTTP/1.1 codec with its guards (header timeout, pipelining, malformed requests, 100-continue)
 * or the HTTP/2 frame codec with one child pipeline per stream, each ending in the exchange
 * handler.
 */
public final class HttpPipelines {
    /** Limits on what a client may send; larger is refused with 414/431 rather than buffered. */
    static final int MAX_INITIAL_LINE = 8192;
    static final int MAX_HEADER_SIZE = 32 * 1024;
    static final int MAX_CHUNK = 64 * 1024;
    static final long FIRST_REQUEST_MILLIS = 10_000;
    static final long KEEP_ALIVE_MILLIS = 75_000;
    static final long HTTP2_IDLE_SECONDS = 300;
    static final int MAX_CONCURRENT_STREAMS = 1000;
    /** HTTP/2 frames to and from HTTP objects; it keeps nothing per stream, so one serves every stream. */
    private static final Http2StreamCodec STREAM_CODEC = new Http2StreamCodec(true);

    private HttpPipelines() {
    }

    public static ChannelInitializer<Channel> detectingProtocol(RequestPath path) {
        return detectingProtocol(path, () -> 0);
    }

    /**
     * As above; {@code idleMillis} (read for each new connection, 0 for the defaults) is how long a
     * connection may sit without a request before it is closed: a listener's {@code idle} timeout.
     */
    public static ChannelInitializer<Channel> detectingProtocol(RequestPath path, LongSupplier idleMillis) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                long idle = idleMillis.getAsLong();
                ch.pipeline().addLast("detect", new ProtocolDetectionHandler(new ProtocolDetectionHandler.Setup() {
                    @Override
                    public void http1(ChannelHandlerContext ctx) {
                        addHttp1(ctx.pipeline(), path, idle > 0 ? idle : KEEP_ALIVE_MILLIS);
                    }

                    @Override
                    public void http2(ChannelHandlerContext ctx) {
                        addHttp2(ctx.pipeline(), path, idle > 0 ? idle : TimeUnit.SECONDS.toMillis(HTTP2_IDLE_SECONDS));
                    }
                }));
            }
        };
    }

    static void addHttp1(ChannelPipeline p, RequestPath path, long keepAliveMillis) {
        p.addLast("http1", new DownstreamHttp1Codec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK));
        // After pipelining: a request held there is not yet in progress, so its wait must not count against
        // the keep-alive deadline the previous response armed.
        p.addLast("pipelining", new Http1PipeliningHandler());
        p.addLast("header-timeout", new RequestHeaderTimeoutHandler(FIRST_REQUEST_MILLIS, keepAliveMillis));
        p.addLast("malformed", new MalformedRequestHandler(path));
        p.addLast("continue", new HttpServerExpectContinueHandler());
        p.addLast("exchange", new HttpExchangeHandler(path));
    }

    static void addHttp2(ChannelPipeline p, RequestPath path, long idleMillis) {
        // Responses arrive while the upstream connection is read, one stream after another: their flushes
        // become one write per event-loop turn instead of one per stream (flushed at the end of a read
        // batch of this connection, or by a task queued behind the current one, never left pending).
        p.addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        // Netty's HTTP/2 codec already limits RST floods, empty DATA frames and queued control frames.
        p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                ctx.close();
            }
        });
        p.addLast("h2", Http2FrameCodecs.server(MAX_CONCURRENT_STREAMS, MAX_HEADER_SIZE));
        // One timer for the time limits of all the connection's streams, not a task per stream.
        StreamDeadlines deadlines = new StreamDeadlines();
        p.addLast("streams", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast("http", STREAM_CODEC);
                stream.pipeline().addLast("exchange", new HttpExchangeHandler(path, deadlines));
            }
        }));
    }
}
