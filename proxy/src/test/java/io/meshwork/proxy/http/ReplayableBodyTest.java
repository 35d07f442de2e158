package io.meshwork.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReplayableBodyTest {
    @Test
    void aKeptBodyIsResentWholeToEveryAttemptAndReleasedAtTheEnd() {
        ReplayableBody body = new ReplayableBody(100, true);
        HttpContent first = part("abc");
        assertNull(body.add(first, false), "no attempt connected yet: it waits");
        List<HttpContent> toFirstAttempt = body.forNewAttempt();
        assertEquals("abc", text(toFirstAttempt));
        HttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("de", StandardCharsets.UTF_8));
        HttpContent sent = body.add(last, true);
        assertEquals("de", sent.content().toString(StandardCharsets.UTF_8));
        sent.release();
        assertTrue(body.replayable());
        List<HttpContent> toRetry = body.forNewAttempt();
        assertEquals("abcde", text(toRetry), "the retry sends exactly what the caller sent");
        body.release();
        assertEquals(0, first.refCnt(), "nothing kept after the exchange");
        assertEquals(0, last.refCnt());
    }

    @Test
    void aBodyBeyondTheLimitStreamsThroughAndIsNoLongerReplayable() {
        ReplayableBody body = new ReplayableBody(4, true);
        HttpContent kept = part("abc");
        body.add(kept, true).release(); // sent to the attempt, and kept
        HttpContent big = part("defgh");
        HttpContent sent = body.add(big, true);
        assertSame(big, sent, "past the limit the part itself goes on");
        assertFalse(body.replayable());
        assertEquals(0, kept.refCnt(), "what was kept is let go: it cannot be resent whole anyway");
        assertEquals(0, body.heldBytes());
        big.release();
    }

    @Test
    void partsWaitingForAConnectionAreHandedOverOnceWhenNothingIsKept() {
        ReplayableBody body = new ReplayableBody(100, false);
        HttpContent p = part("xyz");
        assertNull(body.add(p, false));
        assertEquals(3, body.heldBytes());
        List<HttpContent> handed = body.forNewAttempt();
        assertSame(p, handed.get(0));
        assertTrue(body.forNewAttempt().isEmpty(), "sent once");
        p.release();
    }

    private static HttpContent part(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private static String text(List<HttpContent> parts) {
        StringBuilder out = new StringBuilder();
        for (HttpContent p : parts) {
            out.append(p.content().toString(StandardCharsets.UTF_8));
            p.release();
        }
        return out.toString();
    }
}
