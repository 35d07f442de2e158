package io.meshwork.proxy.upstream;

import io.meshwork.proxy.http1.UpstreamHttp1Codec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What the guard lets through from an upstream's byte stream, and what it turns into a protocol error. */
class UpstreamResponseGuardHandlerTest {
    private final List<Object> passed = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    @Test
    void aWellFormedAnswerPassesUntouchedAfterItsInterimAnswers() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
        assertEquals(201, ((HttpResponse) passed.get(0)).status().code());
        assertTrue(passed.get(1) instanceof LastHttpContent);
        assertEquals(2, passed.size());
        assertTrue(failures.isEmpty());
        assertTrue(ch.isActive());
        release(ch);
    }

    @Test
    void whatCannotBeGivenToACallerIsAProtocolErrorAndClosesTheConnection() {
        for (String hostile : List.of("garbage\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 999 Unknown\r\n\r\n",
                "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 600 High\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000) + "\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nzz\r\n")) {
            passed.forEach(ReferenceCountUtil::release);
            passed.clear();
            failures.clear();
            EmbeddedChannel ch = channel();
            ch.writeInbound(bytes(hostile));
            String what = hostile.substring(0, Math.min(20, hostile.length()));
            assertEquals(1, failures.size(), what);
            assertTrue(failures.get(0) instanceof UpstreamProtocolException, failures.get(0).toString());
            assertFalse(ch.isActive(), "closed: " + what);
            assertTrue(passed.stream().noneMatch(m -> m instanceof HttpResponse r && (r.status().code() < 100 || r.status().code() > 599)),
                    "never a status outside 100-599");
            release(ch);
        }
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttp1Codec.forUpstream(), new UpstreamResponseGuardHandler(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        passed.add(msg);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        failures.add(cause);
                    }
                });
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ReferenceCountUtil.release(ch.readOutbound());
        return ch;
    }

    private void release(EmbeddedChannel ch) {
        passed.forEach(ReferenceCountUtil::release);
        passed.clear();
        ch.finishAndReleaseAll();
    }

    private static io.netty.buffer.ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
