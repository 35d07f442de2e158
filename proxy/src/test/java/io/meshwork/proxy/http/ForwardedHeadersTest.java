package io.meshwork.proxy.http;

import io.meshwork.proxy.http1.CompactHeadersFactory;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ForwardedHeadersTest {
    @Test
    void hopByHopHeadersStayOnTheirHop() {
        hopByHopHeadersStayOnTheirHop(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a"));
        // The decoders' own headers, which strip them in one pass; the order of the rest is kept.
        HttpRequest decoded = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a",
                CompactHeadersFactory.HEADERS.newHeaders().add("Host", "a").add("TE", "gzip").add("Accept", "*/*")
                        .add("Upgrade", "h2c").add("X-Last", "1"));
        hopByHopHeadersStayOnTheirHop(decoded);
        assertEquals(List.of("Host", "Accept", "X-Last", "x-kept", "x-request-id"), decoded.headers().names().stream().toList());
    }

    private static void hopByHopHeadersStayOnTheirHop(HttpRequest in) {
        in.headers().set("connection", "keep-alive, x-private").set("x-private", "1").set("keep-alive", "timeout=5")
                .set("proxy-connection", "keep-alive").set("x-kept", "yes").set("expect", "100-continue");
        HttpRequest out = ForwardedHeaders.upstreamRequest(in, null, null, false, false);
        assertNull(out.headers().get("connection"));
        assertNull(out.headers().get("x-private"), "headers listed in Connection are hop-by-hop too");
        assertNull(out.headers().get("keep-alive"));
        assertNull(out.headers().get("proxy-connection"));
        assertNull(out.headers().get("expect"), "the proxy answers 100-continue itself");
        assertEquals("yes", out.headers().get("x-kept"));
        assertNotNull(out.headers().get("x-request-id"));
        assertSame(in, out, "changed in place: no copy of every header per hop");
    }

    @Test
    void rewritesPathAndHostAndKeepsAGivenRequestId() {
        HttpRequest in = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/old/x");
        in.headers().set("host", "edge.example").set("x-request-id", "abc");
        HttpRequest out = ForwardedHeaders.upstreamRequest(in, "/x", "svc.local", false, false);
        assertEquals("/x", out.uri());
        assertEquals("svc.local", out.headers().get("host"));
        assertEquals("abc", out.headers().get("x-request-id"));
    }

    @Test
    void framingFitsTheNextHop() {
        assertTrue(HttpUtil.isTransferEncodingChunked(ForwardedHeaders.upstreamRequest(
                        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload"), null, null, true, false)),
                "a body of unknown length from HTTP/2 goes chunked over HTTP/1.1");
        HttpRequest chunked = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        HttpUtil.setTransferEncodingChunked(chunked, true);
        assertFalse(ForwardedHeaders.upstreamRequest(chunked, null, null, false, true).headers().contains("transfer-encoding"),
                "HTTP/2 has no Transfer-Encoding");
        var whole = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x", Unpooled.wrappedBuffer(new byte[7]));
        assertEquals(7, HttpUtil.getContentLength(ForwardedHeaders.upstreamRequest(whole, null, null, true, false)));
        HttpRequest head = ForwardedHeaders.head(whole);
        assertFalse(head instanceof io.netty.handler.codec.http.FullHttpMessage, "the head goes without the body");
        assertSame(whole.headers(), head.headers());
        whole.release();

        HttpRequest bodiless = ForwardedHeaders.upstreamRequest(
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), null, null, false, false);
        assertFalse(bodiless.headers().contains("transfer-encoding") || bodiless.headers().contains("content-length"),
                "an HTTP/1.1 request that said nothing of a body has none: it goes on without framing headers");
        var emptyFromHttp2 = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        HttpRequest forwarded = ForwardedHeaders.upstreamRequest(emptyFromHttp2, null, null, true, false);
        assertFalse(forwarded.headers().contains("transfer-encoding") || forwarded.headers().contains("content-length"),
                "an HTTP/2 request that ended with its headers has no body either");
        emptyFromHttp2.release();

        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpResponse down = ForwardedHeaders.downstreamResponse(response, false, false, HttpVersion.HTTP_1_1);
        assertTrue(HttpUtil.isTransferEncodingChunked(down));
        assertEquals("close", down.headers().get("connection"));
        HttpResponse noBody = ForwardedHeaders.downstreamResponse(new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.NO_CONTENT), false, true, HttpVersion.HTTP_1_1);
        assertFalse(HttpUtil.isTransferEncodingChunked(noBody), "204 has no body to frame");
    }
}
