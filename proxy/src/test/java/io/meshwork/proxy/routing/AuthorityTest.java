package io.meshwork.proxy.routing;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class AuthorityTest {
    private static HttpRequest request(String uri, String host) {
        // Unvalidated, as a decoder hands values over: a Host with the spaces around it that a lenient client sends.
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        if (host != null) {
            request.headers().set("host", host);
        }
        return request;
    }

    @Test
    void readsHostAndPortFromHostOrAnAbsoluteTarget() {
        assertEquals(new Authority("orders.shop.local", 8080), Authority.of(request("/", "Orders.Shop.Local:8080")));
        assertEquals(new Authority("orders.shop.local", null), Authority.of(request("/", " orders.shop.local ")));
        assertEquals(new Authority("[::1]", 9000), Authority.of(request("/", "[::1]:9000")));
        assertEquals(new Authority("[::1]", null), Authority.of(request("/", "[::1]")));
        assertEquals(new Authority("a:b", null), Authority.of(request("/", "a:b")), "a port that is not a number is part of the name");
        assertEquals(new Authority("", null), Authority.of(request("/", null)));
        assertEquals(new Authority("example.com", 81), Authority.of(request("http://Example.com:81/x", "other.local")));
    }

    @Test
    void aHostSeenAgainIsNotParsedAgain() {
        Authority first = Authority.of(request("/", "cart.shop.local:8080"));
        // A new String each time, as a new connection's decoder makes.
        Authority again = Authority.of(request("/", new String("cart.shop.local:8080".toCharArray())));
        assertSame(first, again);
    }

    @Test
    void manyHostsInTurnEachGetTheirOwnAuthority() {
        // More Hosts than the thread keeps, so they share slots and push each other out.
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            hosts.add("svc-" + i + ".mesh.local" + (i % 3 == 0 ? ":" + (8000 + i) : ""));
        }
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            String host = hosts.get(random.nextInt(hosts.size()));
            assertEquals(Authority.parse(host), Authority.of(request("/", host)), host);
        }
    }
}
