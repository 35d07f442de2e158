package io.meshwork.proxy.http;

import io.meshwork.proxy.http1.DownstreamHttp1Codec;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.resilience.ConnectionLimits;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxyapi.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a connection is fit for after each exchange, on both sides: the caller's keeps reading its
 * next request, is closed when its framing is lost or it asked to close, never carries a request
 * the caller did not send; a pooled upstream connection keeps watching for its close. The same
 * harness as {@link HttpExchangeHandlerTest}, plus a gate that holds back the caller's flushes (a
 * slow client) and a connection-pool limit.
 */
class HttpExchangeHandlerKeepAliveTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 9001);
    private static final String GET = "GET /items HTTP/1.1\r\nHost: api.local\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final ScriptedUpstreams upstreams = new ScriptedUpstreams(alloc);
    private final List<ExchangeRecord> records = new ArrayList<>();
    private TestUpstream upstream = new TestUpstream(A);
    private RetryRules rules = RetryRules.NONE;
    private ConnectionLimits limits;
    private EmbeddedChannel caller;
    private boolean expectContinue;
    /** Holds back the caller's flushes while closed: a slow client whose socket buffer is full. */
    private final Gate gate = new Gate();

    @AfterEach
    void noLeaks() {
        gate.open(null);
        if (caller != null) {
            caller.finishAndReleaseAll();
        }
        upstreams.closeAll();
        assertEquals(0, alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory(), "every buffer released");
    }

    // Request smuggling: "Connection: Content-Length" strips the request's only framing header.
    @Test
    void aConnectionHeaderNamingContentLengthMustNotTurnTheBodyIntoASecondRequest() {
        String smuggled = "DELETE /admin/users/1 HTTP/1.1\r\nHost: api.local\r\n\r\n";
        send("POST /items HTTP/1.1\r\nHost: api.local\r\nConnection: keep-alive, Content-Length\r\nContent-Length: "
                + smuggled.length() + "\r\n\r\n" + smuggled);
        String sent = upstreams.last().sent();
        List<String> seen = requestsAsTheAppParsesThem(sent);
        assertEquals(List.of("POST /items"), seen, "one request in, one request out");
    }

    // Reading paused by upstream backpressure is never resumed when the request ended in the same read batch.
    @Test
    void anUploadThatPausedReadingLeavesTheKeepAliveConnectionReadingAgain() {
        send(GET);
        upstreams.last().answer(OK);
        received();
        // the pooled connection fills up (a real socket whose send buffer is full behaves the same)
        upstreams.last().channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
        String body = "x".repeat(8_000);
        sendBatch("POST /upload HTTP/1.1\r\nHost: api.local\r\nContent-Length: 16000\r\n\r\n" + body, body);
        assertTrue(upstreams.last().sent().endsWith(body + body), "the whole body went up");
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200 OK"));
        assertTrue(caller.isActive());
        assertTrue(caller.config().isAutoRead(), "after the exchange, the keep-alive connection must read the next request");
    }

    // The same with the body held while no attempt is connected (queued for a pool slot, or connecting).
    @Test
    void aBodyHeldBeforeConnectDoesNotLeaveReadingPausedForever() {
        limits = new ConnectionLimits(1, 10);
        assertEquals(ConnectionLimits.Admission.NOW, limits.admit(() -> { })); // another request holds the only slot
        int size = 100_000;
        send("POST /upload HTTP/1.1\r\nHost: api.local\r\nContent-Length: " + size + "\r\n\r\n" + "x".repeat(size));
        assertFalse(caller.config().isAutoRead(), "more than 64 KiB held before connect pauses reading");
        limits.release(); // the slot frees up
        caller.runPendingTasks();
        upstreams.last().sent();
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200 OK"));
        assertTrue(caller.config().isAutoRead(), "after the exchange, the keep-alive connection must read the next request");
    }

    // A held pipelined upload answered locally: the pipelining handler left reading paused, nobody resumes it.
    @Test
    void aLocallyAnsweredPipelinedUploadDoesNotLeaveReadingPaused() {
        send(GET);
        send("POST /local HTTP/1.1\r\nHost: api.local\r\nContent-Length: 1000\r\n\r\n");
        for (int i = 0; i < 40; i++) {
            send("0123456789");
        }
        assertFalse(caller.config().isAutoRead(), "over 32 held messages pause reading");
        upstreams.last().answer(OK);
        String answers = received();
        assertTrue(answers.contains("404"), answers);
        assertTrue(caller.isActive());
        assertTrue(caller.config().isAutoRead(), "the rest of the body (600 bytes) must still be read and dropped");
    }

    // A request pipelined after "Connection: close" is forwarded upstream (RFC 9112 9.6: MUST NOT process).
    @Test
    void aRequestPipelinedAfterConnectionCloseIsNotForwarded() {
        gate.close();
        send("GET /first HTTP/1.1\r\nHost: api.local\r\nConnection: close\r\n\r\n"
                + "POST /second HTTP/1.1\r\nHost: api.local\r\nContent-Length: 2\r\n\r\nhi");
        upstreams.last().sent();
        upstreams.last().answer(OK);
        caller.runPendingTasks(); // the response is still being written (slow client)
        String upstreamSaw = upstreams.opened().stream().map(c -> c.sent()).reduce("", String::concat);
        assertFalse(upstreamSaw.contains("/second"), "a request after Connection: close went upstream: " + upstreamSaw);
    }

    // A pooled connection keeps autoRead=false after a response relayed under caller backpressure.
    @Test
    void aConnectionGoesBackToThePoolReadingEvenIfTheCallerWasSlow() {
        caller();
        caller.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        gate.close();
        send(GET);
        upstreams.last().sent();
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "a".repeat(50));
        upstreams.last().answer("b".repeat(50));
        assertEquals(List.of(true), upstreams.releases(), "pooled");
        gate.open(caller);
        assertTrue(received().endsWith("b".repeat(50)));
        assertTrue(upstreams.last().channel().config().isAutoRead(),
                "an idle pooled connection must read, or its close/stray bytes go unnoticed until reuse");
    }

    // A broken chunk after the response went out early: the connection's framing is lost, yet it stays open.
    @Test
    void aBrokenChunkAfterAnEarlyAnswerClosesTheConnection() {
        send("POST /orders HTTP/1.1\r\nHost: api.local\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n");
        upstreams.last().sent();
        upstreams.last().answer(OK); // the app answers before the body ended
        assertTrue(received().startsWith("HTTP/1.1 200 OK"));
        send("zz\r\n"); // the rest of the body is not HTTP
        assertFalse(caller.isActive(), "the connection lost its framing and must close, not hang until the keep-alive timeout");
    }

    // HEAD, 204, 304 framing and reuse; Expect: 100-continue.
    @Test
    void headAnd204And304AreFramedRightAndTheConnectionIsReused() {
        send("HEAD /items HTTP/1.1\r\nHost: api.local\r\n\r\n");
        upstreams.last().sent();
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        String head = received();
        assertTrue(head.startsWith("HTTP/1.1 200 OK") && head.endsWith("\r\n\r\n") && head.toLowerCase().contains("content-length: 5"), head);
        send(GET);
        upstreams.last().sent();
        upstreams.last().answer("HTTP/1.1 204 No Content\r\n\r\n");
        String noContent = received();
        assertFalse(noContent.toLowerCase().contains("transfer-encoding"), noContent);
        send(GET);
        upstreams.last().sent();
        upstreams.last().answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
        String notModified = received();
        assertTrue(notModified.endsWith("\r\n\r\n"), notModified);
        send(GET);
        upstreams.last().answer(OK);
        assertTrue(received().endsWith("hi"));
        assertEquals(1, upstreams.opened().size(), "one connection for all four");
        assertEquals(List.of(true, true, true, true), upstreams.releases());
    }

    @Test
    void headAfterAnInterimAnswer() {
        send("HEAD /items HTTP/1.1\r\nHost: api.local\r\n\r\n");
        upstreams.last().sent();
        upstreams.last().answer("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        String head = received();
        assertTrue(head.startsWith("HTTP/1.1 200 OK") && head.endsWith("\r\n\r\n"), head);
        assertEquals(List.of(true), upstreams.releases());
    }

    @Test
    void expectContinueIsAnsweredOnceAndNotForwarded() {
        expectContinue = true;
        send("POST /orders HTTP/1.1\r\nHost: api.local\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        assertTrue(received().startsWith("HTTP/1.1 100 Continue"));
        send("hi" + GET);
        String sent = upstreams.last().sent();
        assertFalse(sent.toLowerCase().contains("expect"), sent);
        upstreams.last().answer(OK);
        caller.runPendingTasks();
        upstreams.last().answer(OK);
        String answers = received();
        assertEquals(2, answers.split("HTTP/1.1 200 OK", -1).length - 1, answers);
    }

    // --- harness ----------------------------------------------------------------------------

    private void caller() {
        if (caller == null) {
            RequestPath path = new RequestPath(new FixedRouting(), upstreams, records::add, ResilienceEvents.NONE);
            caller = new EmbeddedChannel();
            caller.config().setAllocator(alloc);
            caller.freezeTime();
            caller.pipeline().addLast(gate, new DownstreamHttp1Codec(8192, 32 * 1024, 64 * 1024), new Http1PipeliningHandler(),
                    new MalformedRequestHandler(path));
            if (expectContinue) {
                caller.pipeline().addLast(new io.netty.handler.codec.http.HttpServerExpectContinueHandler());
            }
            caller.pipeline().addLast(new HttpExchangeHandler(path));
        }
    }

    private void send(String raw) {
        caller();
        caller.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    /** Several socket reads in one read batch (one channelReadComplete at the end). */
    private void sendBatch(String... raws) {
        caller();
        Object[] bufs = new Object[raws.length];
        for (int i = 0; i < raws.length; i++) {
            bufs[i] = Unpooled.copiedBuffer(raws[i], StandardCharsets.ISO_8859_1);
        }
        caller.writeInbound(bufs);
    }

    private String received() {
        caller.runPendingTasks();
        return ScriptedUpstreams.drain(caller);
    }

    private static List<String> requestsAsTheAppParsesThem(String bytes) {
        EmbeddedChannel app = new EmbeddedChannel(new HttpRequestDecoder());
        app.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = app.readInbound()) != null) {
            if (m instanceof HttpRequest r) {
                out.add(r.method() + " " + r.uri());
            }
            ReferenceCountUtil.release(m);
        }
        app.finishAndReleaseAll();
        return out;
    }

    static final class Gate extends ChannelOutboundHandlerAdapter {
        private boolean closed;

        void close() {
            closed = true;
        }

        void open(EmbeddedChannel ch) {
            closed = false;
            if (ch != null) {
                ch.flush();
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!closed) {
                ctx.flush();
            }
        }
    }

    private final class FixedRouting implements RequestRouting {
        @Override
        public RouteDecision route(HttpRequest request) {
            if (request.uri().startsWith("/local")) {
                return new RouteDecision.Reject(404, ResponseFlag.NO_ROUTE, "no route");
            }
            return new RouteDecision.Forward(upstream, Protocol.HTTP, "all", 15_000, 0, rules, limits, null, null, null);
        }

        @Override
        public String direction() {
            return "egress";
        }
    }
}
