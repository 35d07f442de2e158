package io.meshwork.proxy.http;

import io.meshwork.proxy.http1.DownstreamHttp1Codec;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxyapi.RetryPolicy;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The HTTP/1.1 request path on its own: the proxy's real downstream handlers in an
 * {@link EmbeddedChannel} on a virtual clock, upstream connections scripted byte by byte
 * ({@link ScriptedUpstreams}). Each test checks what reaches each side, which connections stay
 * open, and that no buffer leaks (every buffer comes from one instrumented allocator).
 */
class HttpExchangeHandlerTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 9001);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.2", 9001);
    private static final String GET = "GET /items HTTP/1.1\r\nHost: api.local\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final ScriptedUpstreams upstreams = new ScriptedUpstreams(alloc);
    private final List<ExchangeRecord> records = new ArrayList<>();
    private TestUpstream upstream = new TestUpstream(A, B);
    private RetryRules rules = RetryRules.NONE;
    private long timeoutMillis = 15_000;
    private long idleMillis;
    private EmbeddedChannel caller;

    @AfterEach
    void noLeaks() {
        if (caller != null) {
            caller.finishAndReleaseAll();
        }
        upstreams.closeAll();
        assertEquals(0, alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory(), "every buffer released");
    }

    @Test
    void aBodilessRequestGoesUpAsItCameAndTheAnswerComesBackOverAReusedConnection() {
        upstream = new TestUpstream(A);
        send(GET);
        String sent = upstreams.last().sent();
        assertTrue(sent.startsWith("GET /items HTTP/1.1\r\n"), sent);
        assertFalse(sent.toLowerCase().contains("transfer-encoding") || sent.toLowerCase().contains("content-length"),
                "a request that had no body goes on without framing headers: " + sent);
        upstreams.last().answer(OK);
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.endsWith("\r\n\r\nhi"), answer);
        assertEquals(List.of(true), upstreams.releases(), "the connection goes back to the pool");

        send(GET);
        assertEquals(1, upstreams.opened().size(), "the second request reuses it");
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200 OK"));
        assertTrue(caller.isActive());
        assertEquals(ResponseFlag.NONE, records.get(1).flags());
    }

    @Test
    void aRetriedFailureIsInvisibleToTheCallerAndTheNextInstanceAnswers() {
        rules = retry(2, 0, "gateway-error");
        send(GET);
        upstreams.last().answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        assertEquals("", received(), "nothing reaches the caller while a retry is pending");
        assertFalse(upstreams.opened().get(0).channel().isActive(), "the failed answer's connection is closed, not reused");
        afterMillis(300);
        assertEquals(2, upstreams.opened().size());
        assertEquals(B, upstreams.last().endpoint(), "the retry goes to the other instance");
        assertTrue(upstreams.last().sent().startsWith("GET /items HTTP/1.1"));
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200 OK"));
        assertEquals(200, records.get(0).status());
        assertEquals(List.of(true, false), upstream.outcomes, "the instance that failed is told so");
        assertEquals(0, upstream.activeRequests());
    }

    @Test
    void anUndecodableAnswerBecomesA502WithFlagUpeAndItsConnectionIsDiscarded() {
        for (String hostile : List.of(
                "<html><body>Error response</body></html>\r\n\r\n",      // no status line at all (HTTP/0.9 style)
                "HTTP/1.1 abc Weird\r\nContent-Length: 0\r\n\r\n",        // a status that is not a number
                "HTTP/1.1 999 Unknown\r\nContent-Length: 0\r\n\r\n",      // a number outside 100-599
                "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n", // headers beyond the limit
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")) {
            records.clear();
            send(GET);
            ScriptedUpstreams.Connection connection = upstreams.last();
            connection.sent();
            connection.answer(hostile);
            String answer = received();
            assertTrue(answer.startsWith("HTTP/1.1 502 Bad Gateway"), "for " + head(hostile) + ": " + answer);
            assertTrue(answer.toLowerCase().contains("x-meshwork-flags: upe"), answer);
            assertFalse(connection.channel().isActive(), "a connection that lost its framing is never reused");
            assertEquals(ResponseFlag.UPSTREAM_PROTOCOL_ERROR, records.get(0).flags());
            assertTrue(caller.isActive(), "the caller's keep-alive connection stays");
        }
    }

    @Test
    void aConnectionClosedBeforeTheHeadEndsIsRetriedAsAGatewayError() {
        rules = retry(1, 0, "gateway-error");
        send(GET);
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Le");
        upstreams.last().channel().close();
        afterMillis(300);
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200 OK"));
    }

    @Test
    void anUndecodableAnswerIsRetriedUnderTheDefaultPolicyAndWhenNamedByConnectionError() {
        for (RetryRules policy : List.of(RetryRules.APP_MESH_DEFAULT, retry(1, 0, "client-error"))) {
            rules = policy;
            records.clear();
            send(GET);
            upstreams.last().answer("garbage\r\n\r\n");
            afterMillis(300);
            upstreams.last().answer(OK);
            assertTrue(received().startsWith("HTTP/1.1 200 OK"), "policy " + policy);
        }
    }

    @Test
    void interimAnswersAreDroppedAndTheFinalOneRelayed() {
        send(GET);
        upstreams.last().answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + OK);
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
        assertFalse(answer.contains("103"), answer);
    }

    @Test
    void anAnswerThatBreaksAfterItsHeadClosesTheCallersConnection() {
        send(GET);
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhi");
        upstreams.last().channel().close();
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.endsWith("hi"), answer);
        assertFalse(caller.isActive(), "the caller sees the answer break (8 bytes short), never a complete-looking one");
        assertEquals(ResponseFlag.UPSTREAM_CONNECTION_TERMINATION, records.get(0).flags());
    }

    @Test
    void aBrokenChunkAfterTheHeadClosesTheCallersConnectionWithFlagUpe() {
        send(GET);
        upstreams.last().answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\nzz\r\n");
        received();
        assertFalse(caller.isActive());
        assertEquals(ResponseFlag.UPSTREAM_PROTOCOL_ERROR, records.get(0).flags());
    }

    @Test
    void thePerRetryTimeoutMovesOnAndTheRequestTimeoutBoundsEverything() {
        rules = retry(5, 500, "gateway-error");
        timeoutMillis = 1_200;
        send(GET);
        afterMillis(499);
        assertEquals(1, upstreams.opened().size());
        afterMillis(1 + 250);
        assertEquals(2, upstreams.opened().size(), "after 500 ms (and the backoff) the next attempt starts");
        assertFalse(upstreams.opened().get(0).channel().isActive(), "the stalled attempt's connection is closed");
        afterMillis(1_199 - 750);
        assertEquals("", received(), "not before the request timeout");
        afterMillis(1);
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 504 Gateway Timeout"), answer);
        assertTrue(answer.toLowerCase().contains("x-meshwork-flags: ut"), answer);
        assertTrue(upstreams.opened().stream().noneMatch(c -> c.channel().isActive()));
    }

    @Test
    void theIdleTimeoutCountsFromTheLastByteAndEndsAStalledAnswer() {
        idleMillis = 300;
        send(GET);
        afterMillis(250);
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
        afterMillis(250);
        assertTrue(caller.isActive(), "a byte 250 ms ago: not idle yet");
        afterMillis(60);
        assertFalse(caller.isActive(), "300 ms without a byte either way ends it");
        assertTrue(received().endsWith("hello"));
        assertEquals(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT, records.get(0).flags());
    }

    @Test
    void theNextExchangeOnAKeepAliveConnectionKeepsNoneOfTheLastOnesLimits() {
        // The connection's exchanges take turns with one set of deadlines: the second must start afresh.
        timeoutMillis = 300;
        idleMillis = 100;
        send(GET);
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200"));
        timeoutMillis = 0;
        idleMillis = 0;
        send(GET);
        afterMillis(1_000);
        assertTrue(caller.isActive());
        assertEquals("", received(), "neither the last exchange's request timeout nor its idle timeout");
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200"));
        assertEquals(2, records.size());
        assertEquals(ResponseFlag.NONE, records.get(1).flags());
    }

    @Test
    void aSmallBodyIsResentExactlyOnARetry() {
        rules = retry(1, 0, "server-error");
        send("POST /orders HTTP/1.1\r\nHost: api.local\r\nContent-Length: 9\r\n\r\n{\"id\":42}");
        assertTrue(upstreams.last().sent().endsWith("\r\n\r\n{\"id\":42}"));
        upstreams.last().answer("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        afterMillis(300);
        String resent = upstreams.last().sent();
        assertTrue(resent.contains("content-length: 9") || resent.contains("Content-Length: 9"), resent);
        assertTrue(resent.endsWith("\r\n\r\n{\"id\":42}"), resent);
        upstreams.last().answer(OK);
        assertTrue(received().startsWith("HTTP/1.1 200"));
    }

    @Test
    void aBodyBeyondTheReplayLimitStreamsThroughAndItsRequestIsNotRetried() {
        rules = retry(2, 0, "server-error");
        int size = Exchange.MAX_REPLAY_BYTES + 1_000;
        send("POST /upload HTTP/1.1\r\nHost: api.local\r\nContent-Length: " + size + "\r\n\r\n");
        for (int sent = 0; sent < size; sent += 10_000) {
            caller.writeInbound(Unpooled.wrappedBuffer(new byte[Math.min(10_000, size - sent)]));
        }
        String upload = upstreams.last().sent();
        assertEquals(size, upload.length() - upload.indexOf("\r\n\r\n") - 4, "the whole body went up");
        upstreams.last().answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        afterMillis(300);
        assertEquals(1, upstreams.opened().size(), "no retry: the body could not be resent");
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 503") && answer.endsWith("busy"), "the upstream's own answer: " + answer);
    }

    @Test
    void pipelinedRequestsGoUpOneAtATimeAndAreAnsweredInOrder() {
        upstream = new TestUpstream(A);
        send(GET + "GET /second HTTP/1.1\r\nHost: api.local\r\n\r\n");
        assertEquals(1, upstreams.opened().size());
        assertFalse(upstreams.last().sent().contains("/second"), "the second waits for the first's answer");
        upstreams.last().answer(OK);
        caller.runPendingTasks();
        assertTrue(upstreams.last().sent().startsWith("GET /second"), "then it goes");
        assertEquals(1, upstreams.opened().size(), "on the same connection");
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
        String answers = received();
        assertTrue(answers.indexOf("hi") < answers.indexOf("second") && answers.indexOf("hi") > 0, answers);
    }

    @Test
    void aMalformedRequestIsRefusedWithoutRoutingAndTheConnectionCloses() {
        for (String[] bad : new String[][]{
                {"GET / FOO/1.1\r\nHost: api.local\r\n\r\n", "400"},
                {"GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: api.local\r\n\r\n", "414"},
                {"GET / HTTP/1.1\r\nHost: api.local\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n", "431"}}) {
            caller = null;
            records.clear();
            send(bad[0]);
            String answer = received();
            assertTrue(answer.startsWith("HTTP/1.1 " + bad[1]), answer);
            assertTrue(answer.toLowerCase().contains("x-meshwork-flags: dpe"), answer);
            assertTrue(upstreams.opened().isEmpty(), "nothing goes upstream");
            assertFalse(caller.isActive());
            assertEquals(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, records.get(0).flags());
            caller.finishAndReleaseAll();
        }
        caller = null;
    }

    @Test
    void aRequestBodyThatBreaksEndsTheExchangeWith400() {
        send("POST /orders HTTP/1.1\r\nHost: api.local\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\nzz\r\n");
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertFalse(caller.isActive());
        assertFalse(upstreams.last().channel().isActive(), "the half-sent request's connection is closed");
    }

    @Test
    void noInstanceIsA503WithFlagUhAndARefusedConnectionA503WithFlagUf() {
        upstream = new TestUpstream();
        send(GET);
        String answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 503") && answer.toLowerCase().contains("x-meshwork-flags: uh"), answer);
        caller.finishAndReleaseAll();

        caller = null;
        upstream = new TestUpstream(A);
        upstreams.refuse(A);
        send(GET);
        answer = received();
        assertTrue(answer.startsWith("HTTP/1.1 503") && answer.toLowerCase().contains("x-meshwork-flags: uf"), answer);
        assertEquals(0, upstream.activeRequests());
    }

    @Test
    void aCallerThatLeavesEndsTheAttemptAndItsConnection() {
        send(GET);
        caller.close();
        assertFalse(upstreams.last().channel().isActive());
        assertEquals(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION, records.get(0).flags());
        assertEquals(0, upstream.activeRequests());
    }

    // --- harness ----------------------------------------------------------------------------

    private void send(String raw) {
        if (caller == null) {
            RequestPath path = new RequestPath(new FixedRouting(), upstreams, records::add, ResilienceEvents.NONE);
            caller = new EmbeddedChannel();
            caller.config().setAllocator(alloc);
            caller.freezeTime();
            caller.pipeline().addLast(new DownstreamHttp1Codec(8192, 32 * 1024, 64 * 1024), new Http1PipeliningHandler(),
                    new MalformedRequestHandler(path), new HttpExchangeHandler(path));
        }
        caller.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private String received() {
        caller.runPendingTasks();
        return ScriptedUpstreams.drain(caller);
    }

    /** Lets {@code millis} pass on the caller's event loop, a millisecond at a time, as real time would. */
    private void afterMillis(long millis) {
        for (long i = 0; i < millis; i++) {
            caller.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            caller.runScheduledPendingTasks();
            caller.runPendingTasks();
        }
    }

    private static RetryRules retry(int maxRetries, long perTryMillis, String... events) {
        return RetryRules.of(new RetryPolicy(maxRetries, perTryMillis, List.of(events), List.of("connection-error"), null));
    }

    private static String head(String raw) {
        return raw.substring(0, Math.min(40, raw.length())).replace("\r\n", " ");
    }

    /** Every request to the test's upstream, with the test's retry rules and timeout. */
    private final class FixedRouting implements RequestRouting {
        @Override
        public RouteDecision route(HttpRequest request) {
            return new RouteDecision.Forward(upstream, Protocol.HTTP, "all", timeoutMillis, idleMillis, rules, null, null, null, null);
        }

        @Override
        public String direction() {
            return "egress";
        }
    }
}
