package io.meshwork.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class Http1PipeliningHandlerTest {
    @Test
    void theNextRequestWaitsUntilTheAnswerBeforeItIsWrittenComplete() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1PipeliningHandler());
        ch.writeInbound(request("/1"), LastHttpContent.EMPTY_LAST_CONTENT, request("/2"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals("/1", ((HttpRequest) ch.readInbound()).uri());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        assertNull(ch.readInbound(), "the second request is held");

        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        ch.runPendingTasks();
        assertNull(ch.readInbound(), "an interim answer does not complete the first");

        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.runPendingTasks();
        assertEquals("/2", ((HttpRequest) ch.readInbound()).uri());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        assertTrue(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void aLongBacklogPausesReadingAndIsReleasedWhenTheConnectionCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1PipeliningHandler());
        ch.writeInbound(request("/first"), LastHttpContent.EMPTY_LAST_CONTENT);
        ch.readInbound();
        ch.readInbound();
        var held = new java.util.ArrayList<DefaultHttpContent>();
        for (int i = 0; i <= Http1PipeliningHandler.MAX_HELD; i++) {
            DefaultHttpContent body = new DefaultHttpContent(Unpooled.buffer(8).writeLong(i));
            held.add(body);
            ch.writeInbound(i == 0 ? request("/next") : body);
        }
        assertFalse(ch.config().isAutoRead(), "reading pauses while too much waits");
        ch.close();
        assertTrue(held.stream().skip(1).allMatch(b -> b.refCnt() == 0), "what was held is released");
        ReferenceCountUtil.release(held.get(0));
        ch.finishAndReleaseAll();
    }

    private static HttpRequest request(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }
}
