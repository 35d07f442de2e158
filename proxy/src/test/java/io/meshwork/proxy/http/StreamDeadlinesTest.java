package io.meshwork.proxy.http;

import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxyapi.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The streams of one HTTP/2 connection share one timer ({@link StreamDeadlines}): each stream is
 * an {@link EmbeddedChannel} with the real exchange handler (HTTP/1.1 bytes in and out for easy
 * reading), and the timer runs on the first stream's virtual clock, as it would on the
 * connection's event loop.
 */
class StreamDeadlinesTest {
    private static final String GET = "GET /items HTTP/1.1\r\nHost: api.local\r\n\r\n";

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final ScriptedUpstreams upstreams = new ScriptedUpstreams(alloc);
    private final List<ExchangeRecord> records = new ArrayList<>();
    private final TestUpstream upstream = new TestUpstream(new InetSocketAddress("127.0.0.1", 9001));
    private final RequestPath path = new RequestPath(new FixedRouting(), upstreams, records::add, ResilienceEvents.NONE);
    private final StreamDeadlines deadlines = new StreamDeadlines();
    private final List<EmbeddedChannel> streams = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        streams.forEach(EmbeddedChannel::finishAndReleaseAll);
        upstreams.closeAll();
        assertEquals(0, alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory(), "every buffer released");
    }

    @Test
    void eachStreamTimesOutAtItsOwnDeadlineThoughTheyShareOneTimer() {
        EmbeddedChannel first = stream();
        afterMillis(400);
        EmbeddedChannel second = stream();
        afterMillis(599);
        assertEquals("", received(first), "not before its 1000 ms");
        afterMillis(1);
        assertTrue(received(first).startsWith("HTTP/1.1 504 Gateway Timeout"));
        assertEquals("", received(second), "the second stream began 400 ms later");
        afterMillis(399);
        assertEquals("", received(second));
        afterMillis(1);
        assertTrue(received(second).startsWith("HTTP/1.1 504 Gateway Timeout"));
        assertEquals(List.of(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT, ResponseFlag.UPSTREAM_REQUEST_TIMEOUT),
                records.stream().map(ExchangeRecord::flags).toList());
    }

    @Test
    void aStreamThatEndsOrGoesAwayLeavesTheTimerAndTheOthersStillTimeOut() {
        EmbeddedChannel answered = stream();
        EmbeddedChannel reset = stream();
        EmbeddedChannel waiting = stream();
        upstreams.opened().get(0).answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertTrue(received(answered).startsWith("HTTP/1.1 200 OK"));
        reset.close();
        afterMillis(1000);
        assertTrue(received(waiting).startsWith("HTTP/1.1 504 Gateway Timeout"));
        assertEquals(List.of(ResponseFlag.NONE, ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION, ResponseFlag.UPSTREAM_REQUEST_TIMEOUT),
                records.stream().map(ExchangeRecord::flags).toList());
        assertEquals(0, upstream.activeRequests());
    }

    // --- harness ----------------------------------------------------------------------------

    /** A new stream carrying one GET; the timer belongs to the first stream's event loop. */
    private EmbeddedChannel stream() {
        EmbeddedChannel stream = new EmbeddedChannel();
        stream.config().setAllocator(alloc);
        stream.freezeTime();
        stream.pipeline().addLast(new HttpServerCodec(), new HttpExchangeHandler(path, deadlines));
        streams.add(stream);
        stream.writeInbound(Unpooled.copiedBuffer(GET, StandardCharsets.ISO_8859_1));
        return stream;
    }

    private static String received(EmbeddedChannel stream) {
        stream.runPendingTasks();
        return ScriptedUpstreams.drain(stream);
    }

    /** Lets {@code millis} pass on the connection's event loop (the first stream's), a millisecond at a time. */
    private void afterMillis(long millis) {
        EmbeddedChannel loop = streams.get(0);
        for (long i = 0; i < millis; i++) {
            loop.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
            loop.runPendingTasks();
        }
    }

    /** Every request to the test's one upstream, with a 1000 ms request timeout. */
    private final class FixedRouting implements RequestRouting {
        @Override
        public RouteDecision route(HttpRequest request) {
            return new RouteDecision.Forward(upstream, Protocol.HTTP, "all", 1000, 0, RetryRules.NONE, null, null, null, null);
        }

        @Override
        public String direction() {
            return "egress";
        }
    }
}
