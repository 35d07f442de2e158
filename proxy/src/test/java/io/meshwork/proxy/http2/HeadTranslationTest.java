package io.meshwork.proxy.http2;

import io.meshwork.proxy.http1.CompactHeadersFactory;
import io.meshwork.proxy.http1.CompactHttpHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The proxy's own HTTP/2 head translation gives what Netty's {@link HttpConversionUtil} gives (less
 * its {@code x-http2-*} bookkeeping), for random requests and responses in both directions, and
 * leaves to Netty what it does not cover.
 */
class HeadTranslationTest {
    private static final String[] NAMES = {"accept", "user-agent", "content-type", "content-length", "x-request-id",
            "cookie", "host", "te", "trailer", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade",
            "x-http2-scheme", "x-http2-stream-id", "x-http2-path", "x-http2-stream-weight", "x-http2-protocol", "grpc-timeout",
            "x-envoy-original-path", "forwarded"};
    private static final String[] VALUES = {"", "a", "*/*", "text/html; charset=utf-8", "trailers", "Trailers", "gzip",
            "a=b; c=d", "a=b;c=d", "a=b; ", "a=b", "x=1; y=2; z=3", "caf\u00e9", "\u20ac=1; b=2", "example.com", "EXAMPLE.com",
            "user@example.com", "1234", "keep-alive, x-drop", "close"};

    @Test
    void http2HeadsBecomeTheHttp1HeadersNettysConversionGives() throws Exception {
        Random random = new Random(2);
        int requests = 0;
        for (int round = 0; round < 4000; round++) {
            boolean request = random.nextBoolean();
            Http2Headers in = randomHttp2Head(random, request);
            CompactHttpHeaders netty = (CompactHttpHeaders) CompactHeadersFactory.HEADERS.newHeaders();
            CompactHttpHeaders ours = (CompactHttpHeaders) CompactHeadersFactory.HEADERS.newHeaders();
            Exception nettyFailure = null;
            try {
                HttpConversionUtil.addHttp2ToHttpHeaders(3, in, netty, HttpVersion.HTTP_1_1, false, request);
                netty.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
                netty.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
            } catch (Http2Exception e) {
                nettyFailure = e;
            }
            if (nettyFailure != null) {
                Http2Exception ours2 = assertThrows(Http2Exception.class, () -> HeadTranslation.toHttp1(3, in, ours, request), in::toString);
                assertEquals(((Http2Exception) nettyFailure).error(), ours2.error());
                continue;
            }
            assertTrue(HeadTranslation.toHttp1(3, in, ours, request), in::toString);
            assertEquals(pairs(netty), pairs(ours), in::toString);
            requests += request ? 1 : 0;
        }
        assertTrue(requests > 1000, "requests and responses both tried");
    }

    @Test
    void unexpectedPseudoHeadersAreLeftToNetty() throws Exception {
        CompactHttpHeaders out = (CompactHttpHeaders) CompactHeadersFactory.HEADERS.newHeaders();
        assertFalse(HeadTranslation.toHttp1(1, new DefaultHttp2Headers().status("200").path("/x"), out, false));
        assertFalse(HeadTranslation.toHttp1(1, new DefaultHttp2Headers(false).method("GET").path("/").add(":x", "1"), out, true));
        assertFalse(HeadTranslation.toHttp1(1, new DefaultHttp2Headers().method("GET").path("/").status("200"), out, true));
    }

    @Test
    void http1MessagesBecomeTheHttp2HeadsNettysConversionGives() {
        Random random = new Random(3);
        int translated = 0;
        int fallbacks = 0;
        for (int round = 0; round < 4000; round++) {
            HttpMessage message = randomHttp1Head(random);
            AsciiString scheme = random.nextBoolean() ? AsciiString.of("https") : AsciiString.of("http");
            List<String> before = pairs(message.headers());
            Http2Headers ours = HeadTranslation.toHttp2(message, scheme);
            HttpMessage copy = copy(message);
            if (copy instanceof HttpRequest) {
                copy.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme);
            }
            Http2Headers netty;
            try {
                netty = HttpConversionUtil.toHttp2Headers(copy, true);
            } catch (Exception e) { // Http2Exception too, thrown unchecked by header validation
                assertNull(ours, () -> "Netty refuses " + message + " (" + e + "), so must the translation leave it");
                fallbacks++;
                continue;
            }
            if (ours == null) {
                fallbacks++;
                continue;
            }
            assertEquals(pairs(netty), pairs(ours), message::toString);
            assertEquals(before, pairs(message.headers()), "the message itself is not changed");
            translated++;
        }
        assertTrue(translated > 2500, "most messages take the translation: " + translated + ", Netty's way: " + fallbacks);
        assertTrue(fallbacks > 100, "the cases it leaves to Netty were tried: " + fallbacks);
    }

    @Test
    void whatItLeavesToNettyIsWhatNeedsNetty() {
        AsciiString http = AsciiString.of("http");
        assertNull(HeadTranslation.toHttp2(request(HttpMethod.CONNECT, "example.com:443"), http));
        assertNull(HeadTranslation.toHttp2(request(HttpMethod.GET, "http://example.com/a"), http));
        HttpRequest listed = request(HttpMethod.GET, "/");
        listed.headers().add("Connection", "x-drop").add("x-drop", "1");
        assertNull(HeadTranslation.toHttp2(listed, http), "names listed in Connection must go too");
        HttpRequest te = request(HttpMethod.GET, "/");
        te.headers().add("TE", "trailers, deflate");
        assertNull(HeadTranslation.toHttp2(te, http));
        assertNull(HeadTranslation.toHttp2(request(HttpMethod.GET, "/"), null), "a request needs the connection's scheme");
        HttpRequest userinfoOnly = request(HttpMethod.GET, "/");
        userinfoOnly.headers().set("Host", "user@");
        assertNull(HeadTranslation.toHttp2(userinfoOnly, http));
        userinfoOnly.headers().set("Host", "");
        assertNull(HeadTranslation.toHttp2(userinfoOnly, http));
        assertNotNull(HeadTranslation.toHttp2(request(HttpMethod.OPTIONS, "*"), http));
    }

    /** Whole streams through the codec, frame for frame as Netty's own codec writes them. */
    @Test
    void theCodecFramesMessagesAsNettysCodecDoes() {
        List<Supplier<List<HttpObject>>> cases = List.of(
                () -> List.of(fullRequest("", null)),
                () -> List.of(fullRequest("body", null)),
                () -> List.of(fullRequest("body", "grpc-status")),
                () -> List.of(fullRequest("", "grpc-status")),
                () -> List.of(request(HttpMethod.POST, "/upload?x=1"), new DefaultHttpContent(text("part")), new DefaultLastHttpContent(text("end"))),
                () -> List.of(request(HttpMethod.POST, "/upload"), new DefaultHttpContent(text("part")), LastHttpContent.EMPTY_LAST_CONTENT),
                () -> List.of(request(HttpMethod.POST, "/upload"), trailers(Unpooled.EMPTY_BUFFER)),
                () -> List.of(request(HttpMethod.POST, "/upload"), trailers(text("last"))),
                () -> List.of(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER,
                        CompactHeadersFactory.HEADERS.newHeaders(), CompactHeadersFactory.TRAILERS.newHeaders())),
                () -> List.of(response(), new DefaultHttpContent(text("a")), trailers(text("b"))),
                () -> List.of(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER,
                        CompactHeadersFactory.HEADERS.newHeaders(), CompactHeadersFactory.TRAILERS.newHeaders())));
        for (boolean server : new boolean[]{false, true}) {
            for (int i = 0; i < cases.size(); i++) {
                List<String> ours = frames(new Http2StreamCodec(server), cases.get(i).get());
                List<String> netty = frames(new Http2StreamFrameToHttpObjectCodec(server, true), cases.get(i).get());
                assertEquals(netty, ours, "case " + i + (server ? ", server side" : ", client side"));
            }
        }
    }

    private static List<String> frames(Http2StreamFrameToHttpObjectCodec codec, List<HttpObject> messages) {
        EmbeddedChannel channel = new EmbeddedChannel(codec);
        for (HttpObject message : messages) {
            channel.writeOutbound(message);
        }
        List<String> frames = new ArrayList<>();
        for (Object frame; (frame = channel.readOutbound()) != null; ) {
            if (frame instanceof Http2HeadersFrame headers) {
                frames.add("HEADERS end=" + headers.isEndStream() + " " + pairs(headers.headers()));
            } else if (frame instanceof Http2DataFrame data) {
                frames.add("DATA end=" + data.isEndStream() + " " + data.content().toString(StandardCharsets.UTF_8));
            } else {
                frames.add(String.valueOf(frame));
            }
            ReferenceCountUtil.release(frame);
        }
        assertFalse(channel.finish());
        return frames;
    }

    private static Http2Headers randomHttp2Head(Random random, boolean request) {
        // Names unchecked, as the HPACK decoder would refuse some of these before they got here; values checked, as it does.
        Http2Headers h = new DefaultHttp2Headers(false, true, 16);
        String authority = pick(random, "example.com", "EXAMPLE.com", "user@example.com", "a:8080");
        if (request) {
            h.method(AsciiString.of(pick(random, "GET", "POST", "PUT")));
            h.path(AsciiString.of(pick(random, "/", "/a?b=c", "/x/y")));
            h.scheme(AsciiString.of(pick(random, "http", "https")));
            if (random.nextInt(4) > 0) {
                h.authority(AsciiString.of(authority));
            }
        } else {
            h.status(AsciiString.of(pick(random, "200", "204", "404", "503")));
        }
        for (int i = random.nextInt(9); i > 0; i--) {
            String name = pick(random, NAMES);
            String value = name.equals("host") && random.nextBoolean() ? pick(random, authority, authority.toUpperCase())
                    : pick(random, VALUES);
            h.add(AsciiString.of(name), AsciiString.of(value));
        }
        return h;
    }

    private static HttpMessage randomHttp1Head(Random random) {
        HttpMessage message;
        if (random.nextInt(3) > 0) {
            String uri = pick(random, "/", "/a?b=c", "/x#frag", "*", "/y?", "http://example.com/z", "example.com:443");
            HttpMethod method = uri.equals("example.com:443") || random.nextInt(40) == 0 ? HttpMethod.CONNECT
                    : pick(random, HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS);
            message = random.nextBoolean() ? new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, CompactHeadersFactory.HEADERS.newHeaders())
                    : new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER,
                    CompactHeadersFactory.HEADERS.newHeaders(), CompactHeadersFactory.TRAILERS.newHeaders());
        } else {
            message = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(pick(random, 200, 201, 302, 500)),
                    CompactHeadersFactory.HEADERS.newHeaders());
        }
        int skipConnection = random.nextInt(5);
        for (int i = random.nextInt(9); i > 0; i--) {
            String name = pick(random, NAMES);
            if (name.equals("connection") && skipConnection > 0) {
                name = "x-other";
            }
            name = switch (random.nextInt(3)) {
                case 0 -> name.toUpperCase();
                case 1 -> Character.toUpperCase(name.charAt(0)) + name.substring(1);
                default -> name;
            };
            String value = pick(random, VALUES).strip(); // an HTTP/1.1 decoder trims a value
            if (value.chars().anyMatch(c -> c > 127) && random.nextBoolean()) {
                value = "v";
            }
            message.headers().add(random.nextBoolean() ? AsciiString.of(name) : name, value);
        }
        return message;
    }

    private static HttpMessage copy(HttpMessage message) {
        HttpHeaders headers = CompactHeadersFactory.HEADERS.newHeaders().add(message.headers());
        if (message instanceof HttpRequest request) {
            return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), headers);
        }
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, ((HttpResponse) message).status(), headers);
    }

    private static DefaultHttpRequest request(HttpMethod method, String uri) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, CompactHeadersFactory.HEADERS.newHeaders());
        request.headers().add("Host", "example.com").add("Cookie", "a=b; c=d").add("TE", "trailers").add("X-Trace", "t");
        return request;
    }

    private static DefaultHttpResponse response() {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, CompactHeadersFactory.HEADERS.newHeaders());
        response.headers().add("Content-Type", "application/grpc").add("Set-Cookie", "s=1");
        return response;
    }

    private static DefaultFullHttpRequest fullRequest(String body, String trailer) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/f", text(body),
                CompactHeadersFactory.HEADERS.newHeaders(), CompactHeadersFactory.TRAILERS.newHeaders());
        request.headers().add("Host", "example.com");
        if (trailer != null) {
            request.trailingHeaders().add(trailer, "0");
        }
        return request;
    }

    private static LastHttpContent trailers(ByteBuf content) {
        LastHttpContent last = new DefaultLastHttpContent(content, CompactHeadersFactory.TRAILERS);
        last.trailingHeaders().add("Grpc-Status", "0");
        return last;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static List<String> pairs(Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
        List<String> pairs = new ArrayList<>();
        headers.forEach(e -> pairs.add(e.getKey() + "=" + e.getValue()));
        return pairs;
    }

    private static List<String> pairs(HttpHeaders headers) {
        List<String> pairs = new ArrayList<>();
        headers.iteratorCharSequence().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue()));
        return pairs;
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
