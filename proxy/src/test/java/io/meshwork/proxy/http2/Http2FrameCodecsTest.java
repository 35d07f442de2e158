package io.meshwork.proxy.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The proxy's HTTP/2 codecs refuse a header block with a name or value HTTP/1.1 could not carry
 * before any message reaches the stream codec, on both sides: {@link HeadTranslation} does not
 * check them again, so a CR or LF here would otherwise be written into an HTTP/1.1 head.
 */
class Http2FrameCodecsTest {

    @Test
    void aRequestWithAnUnfitHeaderNeverReachesTheExchange() {
        List<HttpMessage> fit = requestsThrough(new DefaultHttp2Headers().add("x-fine", "a b").add("cookie", "c=1").add("cookie", "d=2"));
        assertEquals(1, fit.size(), "a fit request gets through");
        assertEquals(List.of("host=a", "x-fine=a b", "cookie=c=1; d=2"), fit.get(0).headers().entries().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList(), "as HTTP/1.1 carries it, without the HTTP/2 codec's bookkeeping");
        for (Http2Headers bad : unfit()) {
            assertEquals(List.of(), requestsThrough(bad), "refused: " + bad);
        }
    }

    @Test
    void aResponseWithAnUnfitHeaderNeverReachesTheExchange() {
        assertEquals(1, responsesThrough(new DefaultHttp2Headers().add("x-fine", "a b")).size(), "a fit response gets through");
        for (Http2Headers bad : unfit()) {
            assertEquals(List.of(), responsesThrough(bad), "refused: " + bad);
        }
    }

    /** Headers a client or upstream could send that must not become HTTP/1.1 header lines. */
    private static List<Http2Headers> unfit() {
        return List.of(
                unchecked("x-injected", "a\r\nx-evil: 1"),
                unchecked("x-injected", "a\nb"),
                unchecked("x-nul", "a\0b"),
                unchecked("x-padded", " a"),
                unchecked("X-Upper", "a"),
                unchecked("x bad", "a"),
                unchecked("connection", "close"),
                unchecked("transfer-encoding", "chunked"));
    }

    private static Http2Headers unchecked(String name, String value) {
        return new DefaultHttp2Headers(false, false, 4).add(AsciiString.of(name), AsciiString.of(value));
    }

    /** What the proxy's server codec hands its stream codec for a request carrying {@code extra}. */
    private static List<HttpMessage> requestsThrough(Http2Headers extra) {
        List<HttpMessage> seen = new CopyOnWriteArrayList<>();
        EmbeddedChannel proxy = new EmbeddedChannel(Http2FrameCodecs.server(100, 32 * 1024),
                new Http2MultiplexHandler(streams(new Http2StreamCodec(true), seen)));
        EmbeddedChannel client = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(client).open().syncUninterruptibly().getNow();
        Http2Headers head = new DefaultHttp2Headers(false, false, 8).method("GET").path("/").scheme("http").authority("a");
        head.add(extra);
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(head, true));
        pump(client, proxy);
        close(client, proxy);
        return seen;
    }

    /** What the proxy's client codec hands its stream codec for a response carrying {@code extra}. */
    private static List<HttpMessage> responsesThrough(Http2Headers extra) {
        List<HttpMessage> seen = new CopyOnWriteArrayList<>();
        EmbeddedChannel upstream = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                boolean request = msg instanceof Http2HeadersFrame;
                                ReferenceCountUtil.release(msg);
                                if (request) {
                                    Http2Headers head = new DefaultHttp2Headers(false, false, 8).status("200");
                                    head.add(extra);
                                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(head, true));
                                }
                            }
                        });
                    }
                }));
        EmbeddedChannel proxy = new EmbeddedChannel(Http2FrameCodecs.client(), new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(proxy).handler(streams(new Http2StreamCodec(false), seen))
                .open().syncUninterruptibly().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/").scheme("http"), true));
        pump(proxy, upstream);
        close(proxy, upstream);
        return seen;
    }

    private static ChannelHandler streams(Http2StreamCodec codec, List<HttpMessage> seen) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(codec, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof HttpMessage message) {
                            seen.add(message);
                        }
                        ReferenceCountUtil.release(msg);
                    }
                });
            }
        };
    }

    /** Moves bytes both ways between two connected codecs until neither has anything to send. */
    private static void pump(EmbeddedChannel a, EmbeddedChannel b) {
        boolean moved = true;
        for (int i = 0; moved && i < 100; i++) {
            moved = move(a, b) | move(b, a);
        }
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object out; (out = from.readOutbound()) != null; ) {
            moved = true;
            if (to.isActive()) {
                to.writeInbound((ByteBuf) out);
            } else {
                ReferenceCountUtil.release(out);
            }
        }
        to.runPendingTasks();
        from.runPendingTasks();
        return moved;
    }

    private static void close(EmbeddedChannel... channels) {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }
}
