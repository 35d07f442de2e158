package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The upstream codec decodes as Netty's client codec does, reusing the strings responses repeat. */
class UpstreamHttp1CodecTest {
    @Test
    void aResponseKeepsItsHeadersAsSentAndSharesTheCommonStrings() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttp1Codec.forUpstream());
        send(ch, HttpMethod.GET);
        HttpResponse first = null;
        for (int i = 0; i < 2; i++) {
            ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-type: text/plain\r\nContent-Length: 2\r\n"
                    + "X-Custom: v\r\n\r\nok"));
            HttpResponse response = ch.readInbound();
            assertEquals(200, response.status().code());
            assertEquals("OK", response.status().reasonPhrase());
            assertEquals(HttpVersion.HTTP_1_1, response.protocolVersion());
            assertEquals("nginx", response.headers().get("server"));
            assertEquals("text/plain", response.headers().get("Content-Type"));
            assertEquals("v", response.headers().get("x-custom"));
            // As sent: the names keep their spelling for the next hop.
            assertEquals("[Server, content-type, Content-Length, X-Custom]", response.headers().names().stream()
                    .sorted((a, b) -> indexIn(response, a) - indexIn(response, b)).toList().toString());
            if (first == null) {
                first = response;
                send(ch, HttpMethod.GET);
            } else {
                assertSame(name(first, 0), name(response, 0), "a known name is one object");
            }
            HttpContent body = ch.readInbound();
            assertTrue(body instanceof LastHttpContent);
            assertEquals("ok", body.content().toString(StandardCharsets.US_ASCII));
            body.release();
        }
        assertFalse(ch.finish());
    }

    @Test
    void anUnusualReasonPhraseOrStatusPassesAsSent() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttp1Codec.forUpstream());
        send(ch, HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 299 Fine Thanks\r\nContent-Length: 0\r\n\r\n"));
        HttpResponse response = ch.readInbound();
        assertEquals(299, response.status().code());
        assertEquals("Fine Thanks", response.status().reasonPhrase());
        ReferenceCountUtil.release(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsLengthSays() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttp1Codec.forUpstream());
        send(ch, HttpMethod.HEAD);
        send(ch, HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        HttpResponse head = ch.readInbound();
        assertEquals("5", head.headers().get("content-length"));
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        HttpResponse get = ch.readInbound();
        assertEquals(200, get.status().code());
        HttpContent body = ch.readInbound();
        assertEquals("ok", body.content().toString(StandardCharsets.US_ASCII));
        body.release();
        assertFalse(ch.finish());
    }

    @Test
    void afterASuccessfulConnectTheBytesPassThrough() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttp1Codec.forUpstream());
        send(ch, HttpMethod.CONNECT);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n\r\nraw bytes"));
        HttpResponse response = ch.readInbound();
        assertEquals(200, response.status().code());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        ByteBuf raw = ch.readInbound();
        assertEquals("raw bytes", raw.toString(StandardCharsets.US_ASCII));
        raw.release();
        assertFalse(ch.finish());
    }

    private static void send(EmbeddedChannel ch, HttpMethod method) {
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ByteBuf written;
        while ((written = ch.readOutbound()) != null) {
            written.release();
        }
    }

    private static CharSequence name(HttpResponse response, int index) {
        return response.headers().iteratorCharSequence().hasNext() ? nth(response, index) : null;
    }

    private static CharSequence nth(HttpResponse response, int index) {
        var it = response.headers().iteratorCharSequence();
        for (int i = 0; i < index; i++) {
            it.next();
        }
        return it.next().getKey();
    }

    private static int indexIn(HttpResponse response, String name) {
        int i = 0;
        var it = response.headers().iteratorCharSequence();
        while (it.hasNext()) {
            if (it.next().getKey().toString().equals(name)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
