package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The codecs that read plain messages themselves decode every input as Netty's codecs do: the
 * same messages, headers in the same order with the same values, the same bodies and the same
 * errors, whatever mix of plain and other messages arrives and however the bytes are split.
 */
class PlainHeadDecodingTest {
    /** Status lines: plain ones, and ones Netty's decoder must read (interim, no body, odd spacing, other versions). */
    private static final String[] STATUS = {"HTTP/1.1 200 OK", "HTTP/1.1 201 Created", "HTTP/1.1 299 Fine Thanks",
            "HTTP/1.1 404 Not Found", "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 204 No Content",
            "HTTP/1.1 304 Not Modified", "HTTP/1.0 200 OK", "HTTP/1.1 200 ", "HTTP/1.1 200  OK", "HTTP/1.1 2x0 OK",
            "HTTP/1.1 503 Service\tUnavailable"};
    /** Header lines: ordinary ones, and ones only Netty's decoder reads (folded, tabs, non-ASCII, spaces before the colon). */
    private static final String[] HEADERS = {"Server: nginx", "Date: Mon, 07 Dec 2026 09:00:00 GMT", "Content-Type: text/plain",
            "content-type: application/json", "X-Spaced:   a  b  ", "X-Empty:", "X-Empty-Spaced:   ", "Set-Cookie: a=b; Path=/",
            "Connection: keep-alive", "X-Tab:\tv\t", "X-Inner-Tab: a\tb", "X-Obs: caf\u00e9", "X-Fold: a\r\n b",
            "Cache-Control : no-cache", "X-Ctl: a\u0001b", "X Space: v", ": no-name", "X-Del: a\u007fb",
            "Upgrade: websocket", "Expect: 100-continue", "Sec-WebSocket-Accept: x", "X-Long: " + "v".repeat(300),
            "Content-Length: +5", "Content-Length:  5 ", "Content-Length: 5, 5", "Content-Length: 99999999999999999999",
            "Content-Length : 5", "transfer-encoding: chunked", "Transfer-Encoding: identity", "X-Bare-CR: a\rb",
            "X-Long-Name-" + "n".repeat(100) + ": v"};

    @Test
    void responsesDecodeAsWithNettysClientCodec() {
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            List<HttpMethod> methods = new ArrayList<>();
            StringBuilder input = new StringBuilder();
            int count = 1 + random.nextInt(5);
            for (int i = 0; i < count; i++) {
                HttpMethod method = random.nextInt(6) == 0 ? HttpMethod.HEAD : random.nextBoolean() ? HttpMethod.GET : HttpMethod.POST;
                methods.add(method);
                if (random.nextInt(8) == 0) {
                    input.append("HTTP/1.1 100 Continue\r\n\r\n");
                }
                input.append(STATUS[random.nextInt(STATUS.length)]).append(lineEnd(random));
                input.append(headersAndBody(random, method == HttpMethod.HEAD, i == count - 1, false));
            }
            assertSameDecoding(seed, input.toString(), random, () -> UpstreamHttp1Codec.forUpstream(),
                    () -> new HttpClientCodec(config(8192, 65536, 65536), false, false), ch -> methods.forEach(m -> send(ch, m)));
        }
    }

    /** Request lines: plain ones, and ones Netty's decoder must read (or refuse). */
    private static final String[] REQUEST_LINES = {"GET / HTTP/1.1", "POST /api/items?id=1&b=%20 HTTP/1.1", "HEAD /x HTTP/1.1",
            "PUT /a/b HTTP/1.1", "DELETE /a HTTP/1.1", "PURGE /cache HTTP/1.1", "OPTIONS * HTTP/1.1",
            "GET http://example.com/x HTTP/1.1", "get / HTTP/1.1", "GET  / HTTP/1.1", "GET / HTTP/1.0", "GET /\u00fc HTTP/1.1",
            "GET / HTTP/1.1 ", "CONNECT example.com:443 HTTP/1.1", "GET /a\tb HTTP/1.1", "\r\nGET / HTTP/1.1", "GET / HTTP/1.2",
            "GET /" + "p".repeat(5000) + " HTTP/1.1", "G@T / HTTP/1.1", "GET / HTTP/1.1\r\nHost: a\r\n"};

    @Test
    void requestsDecodeAsWithNettysServerCodec() {
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            StringBuilder input = new StringBuilder();
            int count = 1 + random.nextInt(5);
            for (int i = 0; i < count; i++) {
                String line = random.nextInt(3) == 0 ? REQUEST_LINES[random.nextInt(REQUEST_LINES.length)] : REQUEST_LINES[random.nextInt(3)];
                input.append(line.translateEscapes()).append(lineEnd(random));
                if (random.nextInt(3) > 0) {
                    input.append("Host: example.com").append(lineEnd(random));
                }
                input.append(headersAndBody(random, false, false, true));
            }
            // Body parts of at most 16 bytes: where one part ends and the next begins is compared too.
            assertSameDecoding(seed, input.toString(), random, () -> new DownstreamHttp1Codec(8192, 32 * 1024, 16),
                    () -> new HttpServerCodec(config(8192, 32 * 1024, 16)), ch -> { });
        }
    }

    @Test
    void responsesAreWrittenAsNettysServerCodecWritesThem() {
        String requests = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nCONNECT a:443 HTTP/1.1\r\n\r\n";
        assertEquals(written(new HttpServerCodec(config()), requests), written(downstream(), requests));
        assertTrue(written(downstream(), requests).startsWith("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), "no body after HEAD");
    }

    @Test
    void moreThanAHundredAndTwentyEightPipelinedRequestsAreRefusedAsByNetty() {
        String requests = "GET / HTTP/1.1\r\n\r\n".repeat(DownstreamHttp1Codec.MAX_PIPELINE_DEPTH + 2);
        for (ChannelHandler codec : List.of(new HttpServerCodec(config()), downstream())) {
            EmbeddedChannel ch = new EmbeddedChannel(codec);
            Exception refused = assertThrows(Exception.class, () -> ch.writeInbound(bytes(requests)));
            assertTrue(refused.toString().contains("maxPipelineDepth exceeded"), refused.toString());
            int heads = 0;
            Object o;
            while ((o = ch.readInbound()) != null) {
                heads += o instanceof HttpRequest ? 1 : 0;
                ReferenceCountUtil.release(o);
            }
            assertEquals(DownstreamHttp1Codec.MAX_PIPELINE_DEPTH, heads, codec.getClass().getSimpleName());
            ch.finishAndReleaseAll();
        }
    }

    private static String written(ChannelHandler codec, String requests) {
        EmbeddedChannel ch = new EmbeddedChannel(codec);
        ch.writeInbound(bytes(requests));
        Object o;
        while ((o = ch.readInbound()) != null) {
            ReferenceCountUtil.release(o);
        }
        for (int i = 0; i < 4; i++) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setTransferEncodingChunked(response, true);
            ch.writeOutbound(response, new DefaultLastHttpContent(bytes("hello")));
        }
        StringBuilder out = new StringBuilder();
        ByteBuf written;
        while ((written = ch.readOutbound()) != null) {
            out.append(written.toString(StandardCharsets.ISO_8859_1));
            written.release();
        }
        out.append(ch.isOpen() ? "" : "[closed]");
        ch.finishAndReleaseAll();
        return out.toString();
    }

    private static DownstreamHttp1Codec downstream() {
        return new DownstreamHttp1Codec(8192, 32 * 1024, 64 * 1024);
    }

    private static HttpDecoderConfig config() {
        return config(8192, 32 * 1024, 64 * 1024);
    }

    private static HttpDecoderConfig config(int maxInitialLine, int maxHeaderSize, int maxChunk) {
        return new HttpDecoderConfig().setMaxInitialLineLength(maxInitialLine).setMaxHeaderSize(maxHeaderSize).setMaxChunkSize(maxChunk)
                .setHeadersFactory(CompactHeadersFactory.HEADERS).setTrailersFactory(CompactHeadersFactory.TRAILERS);
    }

    @Test
    void aRepeatedRequestLineAndHeaderAreOneObjectFromRequestToRequest() {
        EmbeddedChannel ch = new EmbeddedChannel(downstream());
        List<HttpRequest> requests = new ArrayList<>();
        for (String agent : List.of("curl/8.5", "curl/8.5", "wget")) {
            ch.writeInbound(bytes("GET /items?page=1 HTTP/1.1\r\nHost: shop.local\r\nUser-Agent: " + agent + "\r\n\r\n"));
            requests.add(ch.readInbound());
            assertSame(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound(), "no body");
        }
        assertSame(requests.get(0).uri(), requests.get(1).uri());
        assertSame(requests.get(0).uri(), requests.get(2).uri());
        assertSame(requests.get(0).headers().get("Host"), requests.get(2).headers().get("Host"));
        assertSame(requests.get(0).headers().get("User-Agent"), requests.get(1).headers().get("User-Agent"));
        assertEquals("wget", requests.get(2).headers().get("User-Agent"));
        assertFalse(ch.finish());
    }

    @Test
    void aRepeatedHeaderLineIsOneObjectFromResponseToResponse() {
        EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttp1Codec.forUpstream());
        List<HttpResponse> responses = new ArrayList<>();
        for (String date : List.of("Mon, 07 Dec 2026 09:00:00 GMT", "Mon, 07 Dec 2026 09:00:00 GMT", "Mon, 07 Dec 2026 09:00:01 GMT")) {
            send(ch, HttpMethod.GET);
            ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: " + date + "\r\nContent-Length: 2\r\n\r\nok"));
            responses.add(ch.readInbound());
            ReferenceCountUtil.release(ch.readInbound());
        }
        HttpHeaders first = responses.get(0).headers();
        HttpHeaders second = responses.get(1).headers();
        HttpHeaders third = responses.get(2).headers();
        assertSame(first.get("Server"), second.get("Server"));
        assertSame(first.get("Date"), second.get("Date"), "the same line, the same value");
        assertNotSame(second.get("Date"), third.get("Date"));
        assertEquals("Mon, 07 Dec 2026 09:00:01 GMT", third.get("Date"));
        assertSame(first.get("Server"), third.get("Server"));
        assertFalse(ch.finish());
    }

    /** Headers, the framing headers and the body; {@code mayEndByClose}: the last message may be framed by the connection's end. */
    private static String headersAndBody(Random random, boolean noBody, boolean mayEndByClose, boolean request) {
        StringBuilder out = new StringBuilder();
        int headers = random.nextInt(20) == 0 ? 30 + random.nextInt(40) : random.nextInt(6); // past the 32 reused and the 64 plain
        for (int j = 0; j < headers; j++) {
            String line = random.nextInt(4) == 0 ? HEADERS[random.nextInt(HEADERS.length)] : HEADERS[random.nextInt(4)];
            out.append(line).append(lineEnd(random));
        }
        String body = "x".repeat(random.nextInt(3) == 0 ? 0 : random.nextInt(40));
        int framing = random.nextInt(10);
        if (framing < 6) {
            out.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(noBody ? "" : body);
        } else if (framing == 6) {
            out.append("Transfer-Encoding: chunked\r\n\r\n");
            if (!noBody) {
                out.append(body.isEmpty() ? "" : Integer.toHexString(body.length()) + "\r\n" + body + "\r\n").append("0\r\n\r\n");
            }
        } else if (framing == 7) {
            out.append("Content-Length: ").append(body.length()).append("\r\nContent-Length: ").append(body.length())
                    .append("\r\n\r\n").append(noBody ? "" : body);
        } else if (framing == 8) {
            out.append("Content-Length: 0").append(body.length()).append("\r\n\r\n").append(noBody ? "" : body);
        } else if (mayEndByClose || request) {
            out.append("\r\n").append(noBody || request ? "" : body); // no framing: to the connection's end, or (a request) none
        } else {
            out.append("Content-Length: x1\r\n\r\n");
        }
        return out.toString();
    }

    private static String lineEnd(Random random) {
        return random.nextInt(30) == 0 ? "\n" : "\r\n";
    }

    static void assertSameDecoding(int seed, String input, Random random, java.util.function.Supplier<ChannelHandler> ours,
                                   java.util.function.Supplier<ChannelHandler> netty, java.util.function.Consumer<EmbeddedChannel> before) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        // Split nowhere, rarely or often: a head that arrives whole is read by the plain path, one in pieces by Netty's.
        int every = List.of(Integer.MAX_VALUE, 150, 12).get(seed % 3);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < bytes.length; i++) {
            if (random.nextInt(every) == 0) {
                cuts.add(i);
            }
        }
        // Now and then the connection ends early: what a cut-short head or body gives is compared too.
        if (random.nextInt(4) == 0) {
            bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            int length = bytes.length;
            cuts.removeIf(cut -> cut >= length);
        }
        List<String> expected = decode(netty.get(), bytes, cuts, before);
        List<String> actual = decode(ours.get(), bytes, cuts, before);
        assertEquals(expected, actual, "seed " + seed + ", input:\n" + input.replace("\r", "\\r").replace("\n", "\\n\n"));
    }

    private static List<String> decode(ChannelHandler codec, byte[] bytes, List<Integer> cuts, java.util.function.Consumer<EmbeddedChannel> before) {
        EmbeddedChannel ch = new EmbeddedChannel(codec);
        before.accept(ch);
        List<String> events = new ArrayList<>();
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(bytes.length);
        for (int end : ends) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, from, end - from));
            from = end;
            drain(ch, events);
            events.add("|"); // what came out of each read, not only in the end
        }
        ch.finish();
        drain(ch, events);
        return events;
    }

    private static void drain(EmbeddedChannel ch, List<String> events) {
        Object o;
        while ((o = ch.readInbound()) != null) {
            try {
                if (o instanceof HttpMessage message) {
                    events.add(describe(message));
                }
                if (o instanceof HttpContent content) {
                    String part = content.content().toString(StandardCharsets.ISO_8859_1);
                    events.add(o instanceof LastHttpContent last
                            ? "last [" + part + "] trailers " + entries(last.trailingHeaders()) + result(last.decoderResult())
                            : "part [" + part + "]" + result(content.decoderResult()));
                }
                if (o instanceof ByteBuf raw) {
                    events.add("raw " + raw.toString(StandardCharsets.ISO_8859_1));
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
    }

    private static String describe(HttpMessage message) {
        String line = message instanceof HttpResponse r ? r.protocolVersion() + " " + r.status().code() + " [" + r.status().reasonPhrase() + "]"
                : ((HttpRequest) message).method() + " [" + ((HttpRequest) message).uri() + "] " + message.protocolVersion();
        return line + " " + entries(message.headers()) + result(message.decoderResult());
    }

    private static String entries(HttpHeaders headers) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) headers::iteratorCharSequence) {
            out.add(e.getKey() + "=[" + e.getValue() + "]");
        }
        return out.toString();
    }

    private static String result(DecoderResult result) {
        return result.isFailure() ? " failed: " + result.cause() : "";
    }

    static void send(EmbeddedChannel ch, HttpMethod method) {
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ByteBuf written;
        while ((written = ch.readOutbound()) != null) {
            written.release();
        }
    }

    static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
