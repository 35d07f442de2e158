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
}
