package io.meshwork.proxy.http1;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The decoders' headers behave as Netty's own do, and forwarded messages keep their header order. */
class CompactHttpHeadersTest {

    @Test
    void namesMatchWhateverTheirCaseAndValuesKeepTheirOrder() {
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        h.add("Accept", "text/html").add(AsciiString.of("x-trace"), "a").add("ACCEPT", "application/json");
        assertEquals("text/html", h.get("accept"));
        assertEquals(List.of("text/html", "application/json"), h.getAll(HttpHeaderNames.ACCEPT));
        assertTrue(h.contains("X-Trace"));
        assertEquals(3, h.size());
        assertEquals(List.of("Accept", "x-trace"), new ArrayList<>(h.names()), "the first spelling of each name");
        assertNull(h.get("missing"));
        assertEquals(List.of(), h.getAll("missing"));
    }

    @Test
    void setReplacesAHeaderWhereItStandsAndDropsItsOtherOccurrences() {
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        h.add("Host", "a").add("Via", "1").add("Accept", "*/*").add("via", "2").add("Date", "d");
        h.set("VIA", "3");
        assertEquals(List.of("Host=a", "VIA=3", "Accept=*/*", "Date=d"), pairs(h));
        h.remove("accept").set("x-request-id", "r");
        assertEquals(List.of("Host=a", "VIA=3", "Date=d", "x-request-id=r"), pairs(h));
        h.set("Date", List.of("1", "2"));
        assertEquals(List.of("Host=a", "VIA=3", "x-request-id=r", "Date=1", "Date=2"), pairs(h));
        h.clear();
        assertTrue(h.isEmpty());
    }

    @Test
    void growsPastItsSizeHintAndTrailersStartWithNoRoom() {
        HttpHeaders trailers = CompactHeadersFactory.TRAILERS.newHeaders();
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        for (int i = 0; i < 40; i++) {
            h.add("x-" + i, Integer.toString(i));
            trailers.add("t-" + i, "v");
        }
        assertEquals(40, h.size());
        assertEquals("39", h.get("X-39"));
        assertEquals(40, trailers.size());
    }

    @Test
    void refusesWhatNettysHeadersRefuseWithTheSameMessages() {
        HttpHeaders netty = new DefaultHttpHeaders();
        HttpHeaders compact = CompactHeadersFactory.HEADERS.newHeaders();
        for (String[] bad : new String[][]{{"x-a", "v\r\nInjected: 1"}, {"bad name", "v"}, {"", "v"}, {"x-b", "v\0"}}) {
            IllegalArgumentException expected = assertThrows(IllegalArgumentException.class, () -> netty.add(bad[0], bad[1]));
            IllegalArgumentException actual = assertThrows(IllegalArgumentException.class, () -> compact.add(bad[0], bad[1]));
            assertEquals(expected.getMessage(), actual.getMessage());
            assertThrows(IllegalArgumentException.class, () -> compact.set(bad[0], bad[1]));
        }
        assertThrows(NullPointerException.class, () -> compact.add("x-c", null));
        assertTrue(compact.isEmpty(), "nothing refused was kept");
        IllegalArgumentException trailer = assertThrows(IllegalArgumentException.class,
                () -> CompactHeadersFactory.TRAILERS.newHeaders().add("Content-Length", "1"));
        assertTrue(trailer.getMessage().contains("prohibited trailing header"), trailer.getMessage());
    }

    @Test
    void valuesConvertAndParseAsNettysDo() {
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        h.setInt("Content-Length", 42).add("x-bad", "4x2").add("Expires", new Date(0)).addShort("x-s", (short) 7);
        assertEquals(42, h.getInt("content-length"));
        assertNull(h.getInt("x-bad"));
        assertEquals(5, h.getInt("x-bad", 5));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", h.get("expires"));
        assertEquals(0L, h.getTimeMillis("Expires"));
        assertEquals((short) 7, h.getShort("x-s"));
        assertTrue(HttpUtil.isContentLengthSet(new io.netty.handler.codec.http.DefaultHttpResponse(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK, h)));
    }

    @Test
    void commaSeparatedValuesAreFoundAsKeepAliveDetectionNeeds() {
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        h.add("Connection", "Upgrade, Close");
        assertTrue(h.containsValue(HttpHeaderNames.CONNECTION, "close", true));
        assertFalse(h.containsValue(HttpHeaderNames.CONNECTION, "close", false));
        assertTrue(h.contains("connection", "Upgrade, Close", false));
    }

    @Test
    void valueChecksAnswerAsNettysHeadersForAnyListOfValues() {
        // Differential: values made of random members, commas, spaces and tabs, checked for a member
        // and for a whole value, in either case, against Netty's headers with the same values.
        String[] parts = {"close", "Close", "keep-alive", "chunked", "", " ", "\t", ",", ",", "x", "CLOSE "};
        String[] expected = {"close", "chunked", "", "x", "keep-alive", "close, x"};
        java.util.Random random = new java.util.Random(61);
        for (int run = 0; run < 2000; run++) {
            HttpHeaders netty = new DefaultHttpHeaders();
            HttpHeaders compact = CompactHeadersFactory.HEADERS.newHeaders();
            int values = 1 + random.nextInt(3);
            List<String> added = new ArrayList<>();
            for (int v = 0; v < values; v++) {
                StringBuilder value = new StringBuilder();
                for (int p = random.nextInt(6); p > 0; p--) {
                    value.append(parts[random.nextInt(parts.length)]);
                }
                String name = random.nextBoolean() ? "Connection" : "other";
                try {
                    netty.add(name, value.toString());
                } catch (IllegalArgumentException refused) { // a value starting or ending in whitespace
                    assertThrows(IllegalArgumentException.class, () -> compact.add(name, value.toString()));
                    continue;
                }
                compact.add(name, value.toString());
                added.add(name + "=[" + value + "]");
            }
            for (String e : expected) {
                for (boolean ignoreCase : new boolean[] {true, false}) {
                    String what = e + " (ignoreCase " + ignoreCase + ") in " + added;
                    assertEquals(netty.containsValue(HttpHeaderNames.CONNECTION, e, ignoreCase),
                            compact.containsValue(HttpHeaderNames.CONNECTION, e, ignoreCase), "containsValue " + what);
                    assertEquals(netty.contains("connection", e, ignoreCase), compact.contains("connection", e, ignoreCase),
                            "contains " + what);
                    assertEquals(netty.contains(HttpHeaderNames.CONNECTION, AsciiString.of(e), ignoreCase),
                            compact.contains(HttpHeaderNames.CONNECTION, AsciiString.of(e), ignoreCase), "contains " + what);
                }
            }
        }
    }

    @Test
    void iteratorsWalkInOrderAndRemoveAndSetThroughTheirEntries() {
        HttpHeaders h = CompactHeadersFactory.HEADERS.newHeaders();
        h.add("a", "1").add("b", "2").add("c", "3");
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        it.next();
        it.next();
        it.remove();
        Map.Entry<CharSequence, CharSequence> c = it.next();
        c.setValue("33");
        assertFalse(it.hasNext());
        assertEquals(List.of("a=1", "c=33"), pairs(h));
        assertThrows(IllegalArgumentException.class, () -> h.iterator().next().setValue("x\ny"));
        HttpHeaders copy = h.copy();
        h.set("a", "changed");
        assertEquals(List.of("a=1", "c=33"), pairs(copy), "a copy is independent");
        assertEquals(copy, CompactHeadersFactory.HEADERS.newHeaders().add("A", "1").add("c", "33"));
    }

    @Test
    void theRequestDecoderFillsThemAndRefusesAMalformedHeader() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setHeadersFactory(CompactHeadersFactory.HEADERS).setTrailersFactory(CompactHeadersFactory.TRAILERS)));
        ch.writeInbound(Unpooled.copiedBuffer("POST /a HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\nX-Z: 1\r\n\r\n"
                + "1\r\nx\r\n0\r\nGrpc-Status: 0\r\n\r\n", StandardCharsets.US_ASCII));
        HttpRequest request = ch.readInbound();
        assertTrue(request.decoderResult().isSuccess());
        assertEquals(List.of("Host=web", "Transfer-Encoding=chunked", "X-Z=1"), pairs(request.headers()));
        Object part;
        LastHttpContent last = null;
        while ((part = ch.readInbound()) != null) {
            if (part instanceof LastHttpContent l) {
                last = l;
            } else {
                ((io.netty.util.ReferenceCounted) part).release();
            }
        }
        assertNotNull(last);
        assertEquals("0", last.trailingHeaders().get("grpc-status"));
        last.release();

        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost : web\r\n\r\n", StandardCharsets.US_ASCII));
        HttpRequest bad = ch.readInbound();
        assertFalse(bad.decoderResult().isSuccess(), "whitespace before the colon is refused, as with Netty's headers");
        ch.finishAndReleaseAll();
    }

    @Test
    void anyMixOfChangesLeavesTheSameValuesAsNettysHeaders() {
        // Differential: the same random operations on both; every name's values must agree after each step
        // (the position of a set header differs on purpose, so values are compared name by name).
        String[] names = {"a", "A", "b", "Content-Length", "content-length", "x-y", "X-Y"};
        java.util.Random random = new java.util.Random(16);
        for (int run = 0; run < 200; run++) {
            HttpHeaders netty = new DefaultHttpHeaders();
            HttpHeaders compact = CompactHeadersFactory.HEADERS.newHeaders();
            List<String> steps = new ArrayList<>();
            for (int step = 0; step < 30; step++) {
                String name = names[random.nextInt(names.length)];
                String value = "v" + random.nextInt(4);
                switch (random.nextInt(6)) {
                    case 0, 1 -> {
                        netty.add(name, value);
                        compact.add(name, value);
                        steps.add("add " + name + "=" + value);
                    }
                    case 2 -> {
                        netty.set(name, value);
                        compact.set(name, value);
                        steps.add("set " + name + "=" + value);
                    }
                    case 3 -> {
                        netty.remove(name);
                        compact.remove(name);
                        steps.add("remove " + name);
                    }
                    case 4 -> {
                        netty.set(name, List.of(value, value + "'"));
                        compact.set(name, List.of(value, value + "'"));
                        steps.add("set " + name + "=[" + value + ", " + value + "']");
                    }
                    default -> {
                        AsciiString[] hop = {AsciiString.of(name), AsciiString.of("b")};
                        netty.remove(hop[0]).remove(hop[1]);
                        ((CompactHttpHeaders) compact).removeAll(hop);
                        steps.add("removeAll " + name + ", b");
                    }
                }
                assertEquals(netty.size(), compact.size(), String.join("; ", steps));
                for (String n : names) {
                    assertEquals(netty.getAll(n), compact.getAll(n), n + " after " + String.join("; ", steps));
                    assertEquals(netty.get(n), compact.get(n));
                    assertEquals(netty.contains(n), compact.contains(n));
                    assertEquals(netty.containsValue(n, "v1", true), compact.containsValue(n, "v1", true));
                }
            }
        }
    }

    private static List<String> pairs(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        h.forEach(e -> out.add(e.getKey() + "=" + e.getValue()));
        return out;
    }
}
