package io.meshwork.proxy.http1;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The last body part of a plain message: no trailers of its own, and copies kept for a retry cost no headers object. */
class PlainLastContentTest {
    @Test
    void aPlainBodysLastPartAndItsCopiesShareTheEmptyTrailers() {
        EmbeddedChannel ch = new EmbeddedChannel(new DownstreamHttp1Codec(8192, 32 * 1024, 64 * 1024));
        ch.writeInbound(Unpooled.copiedBuffer("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", StandardCharsets.US_ASCII));
        HttpRequest head = ch.readInbound();
        assertEquals("3", head.headers().get("content-length"));
        LastHttpContent last = ch.readInbound();
        assertInstanceOf(PlainLastContent.class, last, "read by the plain path");
        assertEquals("abc", last.content().toString(StandardCharsets.US_ASCII));
        assertTrue(last.trailingHeaders().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> last.trailingHeaders().add("x", "1"),
                "the shared trailers cannot be changed through one part");

        LastHttpContent kept = last.retainedDuplicate();
        assertSame(last.trailingHeaders(), kept.trailingHeaders(), "a copy for a retry makes no headers object");
        assertEquals(2, last.refCnt(), "the copy holds the same bytes");
        assertEquals("abc", kept.content().toString(StandardCharsets.US_ASCII));
        assertTrue(kept.decoderResult().isSuccess());
        HttpContent copy = kept.copy();
        assertEquals("abc", copy.content().toString(StandardCharsets.US_ASCII));
        assertInstanceOf(LastHttpContent.class, copy);
        copy.release();
        kept.release();
        assertEquals(1, last.refCnt());
        last.release();
        assertEquals(0, last.refCnt());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void smallPartsAreCopiedAndLargerOnesSlicedWithTheSameBytes() {
        for (int size : new int[] {1, PlainHeadDecoder.COPY_AT_MOST, PlainHeadDecoder.COPY_AT_MOST + 1, 5000}) {
            EmbeddedChannel ch = new EmbeddedChannel(new DownstreamHttp1Codec(8192, 32 * 1024, 64 * 1024));
            byte[] body = new byte[size];
            for (int i = 0; i < size; i++) {
                body[i] = (byte) ('a' + i % 26);
            }
            // The head in one read, the body in the next: one part of the body's size.
            ch.writeInbound(Unpooled.copiedBuffer("PUT /b HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n",
                    StandardCharsets.US_ASCII));
            ch.writeInbound(Unpooled.wrappedBuffer(body));
            HttpRequest head = ch.readInbound();
            assertEquals(Integer.toString(size), head.headers().get("content-length"));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            for (HttpContent part; (part = ch.readInbound()) != null; ) {
                int n = part.content().readableBytes();
                assertEquals(n > PlainHeadDecoder.COPY_AT_MOST, part.content().unwrap() != null,
                        n + " bytes: copied up to " + PlainHeadDecoder.COPY_AT_MOST + ", sliced above");
                byte[] bytes = new byte[n];
                part.content().readBytes(bytes);
                got.writeBytes(bytes);
                assertTrue(part.release(), "the part is the only holder of its bytes");
            }
            assertArrayEquals(body, got.toByteArray(), size + " bytes");
            assertFalse(ch.finishAndReleaseAll());
        }
    }
}
