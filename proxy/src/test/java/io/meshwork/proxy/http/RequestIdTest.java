package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Request ids read as UUIDs (version 4) everywhere they are written: HTTP/1.1 heads, HPACK, access logs. */
class RequestIdTest {
    private static final Pattern UUID_V4 = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    @Test
    void idsAreDistinctVersion4UuidsReadTheSameWayCharByCharAndWhole() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            RequestId id = RequestId.random();
            String text = id.toString();
            assertTrue(UUID_V4.matcher(text).matches(), text);
            UUID parsed = UUID.fromString(text);
            assertEquals(4, parsed.version());
            assertEquals(2, parsed.variant());
            assertEquals(text, parsed.toString());
            StringBuilder chars = new StringBuilder();
            for (int c = 0; c < id.length(); c++) {
                chars.append(id.charAt(c));
            }
            assertEquals(text, chars.toString());
            assertEquals(text.substring(9, 13), id.subSequence(9, 13).toString());
            assertTrue(seen.add(text), "repeated id " + text);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> RequestId.random().charAt(36));
    }

    @Test
    void theHttp1AndHttp2EncodersWriteTheIdsText() throws Exception {
        RequestId id = RequestId.random();
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestEncoder());
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.headers().set("x-request-id", id);
        ch.writeOutbound(request);
        ByteBuf wire = ch.readOutbound();
        assertTrue(wire.toString(StandardCharsets.US_ASCII).contains("x-request-id: " + id + "\r\n"));
        wire.release();
        ch.finishAndReleaseAll();

        ByteBuf block = Unpooled.buffer();
        new DefaultHttp2HeadersEncoder().encodeHeaders(3, new DefaultHttp2Headers().add("x-request-id", id), block);
        Http2Headers decoded = new DefaultHttp2HeadersDecoder().decodeHeaders(3, block);
        assertEquals(id.toString(), decoded.get("x-request-id").toString());
        block.release();

        // As an HTTP/1.1 request going to an HTTP/2 upstream is converted (the head, after its encoding above).
        request.headers().set(io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
        Http2Headers converted = io.netty.handler.codec.http2.HttpConversionUtil.toHttp2Headers(request, false);
        assertEquals(id.toString(), converted.get("x-request-id").toString());
    }
}
