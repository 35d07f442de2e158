package io.meshwork.proxy.routing;

import io.meshwork.proxy.routing.match.HttpMatcher;
import io.meshwork.proxy.routing.match.RequestView;
import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HeaderMatch;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.QueryMatch;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HttpMatcherTest {
    @Test
    void pathMatches() {
        assertTrue(http(prefix("/api")).matches(view("GET", "/api/v1", null), "h"));
        assertFalse(http(prefix("/api")).matches(view("GET", "/ap", null), "h"));
        HttpMatch exact = new HttpMatch(null, "/exact", null, null, null, null, null, null, null, null);
        assertTrue(http(exact).matches(view("GET", "/exact", null), "h"));
        assertFalse(http(exact).matches(view("GET", "/exact/", null), "h"));
        HttpMatch regex = new HttpMatch(null, null, "/items/[0-9]+", null, null, null, null, null, null, null);
        assertTrue(http(regex).matches(view("GET", "/items/12", null), "h"));
        assertFalse(http(regex).matches(view("GET", "/items/12/x", null), "h"), "regex matches the whole path");
    }

    @Test
    void methodSchemeQueryAndHostname() {
        HttpMatch m = new HttpMatch("/", null, null, "POST", "https", null, null,
                List.of(new QueryMatch("v", "2"), new QueryMatch("debug", null)), null, ".example.com");
        assertTrue(http(m).matches(view("POST", "/x", "v=2&debug", "https"), "api.example.com"));
        assertFalse(http(m).matches(view("GET", "/x", "v=2&debug", "https"), "api.example.com"));
        assertFalse(http(m).matches(view("POST", "/x", "v=2&debug", "http"), "api.example.com"));
        assertFalse(http(m).matches(view("POST", "/x", "v=3&debug", "https"), "api.example.com"));
        assertFalse(http(m).matches(view("POST", "/x", "v=2", "https"), "api.example.com"), "debug must be present");
        assertFalse(http(m).matches(view("POST", "/x", "v=2&debug", "https"), "example.org"));
    }

    @Test
    void headerConditionsEachKind() {
        assertTrue(header(new HeaderMatch("x-a", false, "1", null, null, null, null, null), "1"));
        assertFalse(header(new HeaderMatch("x-a", false, "1", null, null, null, null, null), "10"));
        assertTrue(header(new HeaderMatch("x-a", false, null, "be", null, null, null, null), "beta"));
        assertTrue(header(new HeaderMatch("x-a", false, null, null, "ta", null, null, null), "beta"));
        assertTrue(header(new HeaderMatch("x-a", false, null, null, null, "b.t+a", null, null), "betta"));
        assertTrue(header(new HeaderMatch("x-a", false, null, null, null, null, 10L, 20L), "10"));
        assertFalse(header(new HeaderMatch("x-a", false, null, null, null, null, 10L, 20L), "20"), "end is exclusive");
        assertFalse(header(new HeaderMatch("x-a", false, null, null, null, null, 10L, 20L), "abc"));
        assertTrue(header(new HeaderMatch("x-a", false, null, null, null, null, null, null), "anything"), "present");
        assertFalse(header(new HeaderMatch("x-a", false, null, null, null, null, null, null), null), "absent");
        assertTrue(header(new HeaderMatch("x-a", true, "1", null, null, null, null, null), null), "inverted: absent matches");
        assertFalse(header(new HeaderMatch("x-a", true, "1", null, null, null, null, null), "1"));
        assertTrue(header(new HeaderMatch("X-A", false, "1", null, null, null, null, null), "1"), "names ignore case");
    }

    @Test
    void grpcServiceMethodAndMetadata() {
        GrpcMatch m = new GrpcMatch("pkg.Greeter", "Hello", List.of(new HeaderMatch("tenant", false, "a", null, null, null, null, null)),
                null, null, null);
        HttpMatcher matcher = HttpMatcher.of(null, m);
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pkg.Greeter/Hello");
        r.headers().set("tenant", "a");
        assertTrue(matcher.matches(new RequestView(r, "/pkg.Greeter/Hello", null, "http"), "h"));
        assertFalse(matcher.matches(new RequestView(r, "/pkg.Greeter/Bye", null, "http"), "h"));
        assertFalse(matcher.matches(new RequestView(r, "/other.Greeter/Hello", null, "http"), "h"));
        r.headers().set("tenant", "b");
        assertFalse(matcher.matches(new RequestView(r, "/pkg.Greeter/Hello", null, "http"), "h"));
    }

    private static boolean header(HeaderMatch h, String value) {
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        if (value != null) {
            r.headers().set("x-a", value);
        }
        HttpMatch m = new HttpMatch("/", null, null, null, null, null, List.of(h), null, null, null);
        return http(m).matches(new RequestView(r, "/", null, "http"), "h");
    }

    private static HttpMatch prefix(String p) {
        return new HttpMatch(p, null, null, null, null, null, null, null, null, null);
    }

    private static HttpMatcher http(HttpMatch m) {
        return HttpMatcher.of(m, null);
    }

    private static RequestView view(String method, String path, String query) {
        return view(method, path, query, "http");
    }

    private static RequestView view(String method, String path, String query, String scheme) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path);
        return new RequestView(r, path, query, scheme);
    }
}
