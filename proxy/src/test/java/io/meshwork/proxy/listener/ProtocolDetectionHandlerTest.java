package io.meshwork.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ProtocolDetectionHandlerTest {
    private final List<String> chosen = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new ProtocolDetectionHandler(new ProtocolDetectionHandler.Setup() {
            @Override
            public void http1(ChannelHandlerContext ctx) {
                chosen.add("http1");
            }

            @Override
            public void http2(ChannelHandlerContext ctx) {
                chosen.add("http2");
            }
        }));
    }

    @Test
    void anHttp1RequestLineIsHttp1AndItsBytesPassOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("http1"), chosen);
        ByteBuf passed = ch.readInbound();
        assertEquals("GET / HTTP/1.1\r\n", passed.toString(StandardCharsets.US_ASCII));
        passed.release();
        assertNull(ch.pipeline().get(ProtocolDetectionHandler.class));
        assertTrue(ch.isOpen());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void theHttp2PrefaceIsHttp2EvenWhenItArrivesInPieces() {
        EmbeddedChannel ch = channel();
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        ch.writeInbound(preface.retainedSlice(0, 10));
        assertEquals(List.of(), chosen, "undecided until the whole preface is there");
        ch.writeInbound(preface.retainedSlice(10, preface.readableBytes() - 10));
        assertEquals(List.of("http2"), chosen);
        ByteBuf passed = ch.readInbound();
        assertEquals(24, passed.readableBytes(), "the preface goes on to the HTTP/2 codec");
        passed.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aFirstByteThatDiffersDecidesAtOnce() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("PUT", StandardCharsets.US_ASCII));
        assertEquals(List.of("http1"), chosen);
        ch.finishAndReleaseAll();
    }
}
