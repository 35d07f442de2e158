package io.meshwork.proxy.http;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** On the channel's virtual clock, frozen: no sleeps, and no real time leaking in on a busy machine. */
class RequestHeaderTimeoutHandlerTest {
    /** A connection whose clock moves only when the test moves it; the handler arms on it once frozen. */
    private static EmbeddedChannel frozen() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new RequestHeaderTimeoutHandler(10_000, 75_000));
        return ch;
    }

    @Test
    void aConnectionThatSendsNoRequestInTimeIsClosed() {
        EmbeddedChannel ch = frozen();
        ch.advanceTimeBy(9_999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen(), "a slowloris client that never finishes its headers is cut off");
    }

    @Test
    void aRequestDisarmsItAndTheResponseArmsTheKeepAliveTimeout() {
        EmbeddedChannel ch = frozen();
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ((io.netty.util.ReferenceCounted) ch.readInbound()).release();
        ch.advanceTimeBy(60_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "a slow app does not make the proxy drop the connection");

        ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), LastHttpContent.EMPTY_LAST_CONTENT);
        ch.releaseOutbound();
        ch.advanceTimeBy(74_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "idle keep-alive is kept for a while");
        ch.advanceTimeBy(2_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen(), "and then let go");
    }
}
