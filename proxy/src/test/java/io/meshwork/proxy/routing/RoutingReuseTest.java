package io.meshwork.proxy.routing;

import io.meshwork.proxy.listener.Transport;
import io.meshwork.proxy.observability.ProxyMetrics;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.Route;
import io.meshwork.proxyapi.ServicePort;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.VirtualService;
import io.meshwork.proxyapi.WeightedTarget;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Routing makes a forward decision once per route target and reuses it for the requests after
 * (no allocation per request), but never one that no longer fits the request: a request that
 * names an absolute URI or a new configuration gets its own. The request view it matches with
 * is reused too, and never shows one request's path or query to the next.
 */
class RoutingReuseTest {
    private final Transport transport = Transport.detect();
    private final EventLoopGroup loop = transport.group(1);
    private final ProxyMetrics metrics = new ProxyMetrics("m", "virtualNode", "web");
    private final ClusterRegistry clusters = new ClusterRegistry(loop.next(), transport.datagrams());
    private final ActiveConfig active = new ActiveConfig();
    private final OutboundRouting routing = new OutboundRouting(active, clusters, "http", metrics.traffic());

    @AfterEach
    void stop() {
        clusters.close();
        loop.shutdownGracefully();
    }

    @Test
    void requestsOnARouteTargetShareOneDecision() {
        apply(snapshot(15_000));
        Map<String, RouteDecision.Forward> byCluster = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            RouteDecision.Forward f = forward(get("/items/" + i + "?page=" + i, "api.local:9000"));
            RouteDecision.Forward first = byCluster.putIfAbsent(f.cluster(), f);
            if (first != null) {
                assertSame(first, f, "the same target's decision, reused");
            }
            assertNull(f.path(), "an origin-form request keeps its own path");
            assertEquals("api-route", f.route());
            assertEquals(15_000, f.timeoutMillis());
        }
        assertEquals(2, byCluster.size(), "both weighted targets were picked: " + byCluster.keySet());
        assertNotSame(byCluster.get("api-v1"), byCluster.get("api-v2"));
    }

    @Test
    void anAbsoluteUriGetsItsOwnPathAndTheNextRequestDoesNotInheritIt() {
        apply(snapshot(15_000));
        Map<String, RouteDecision.Forward> kept = new HashMap<>();
        for (int i = 0; i < 8; i++) { // both targets, whatever order the picker goes in
            RouteDecision.Forward absolute = forward(get("http://api.local:9000/abs/" + i, "ignored.local"));
            assertEquals("/abs/" + i, absolute.path());
            RouteDecision.Forward plain = forward(get("/plain", "api.local:9000"));
            assertNull(plain.path(), "not the absolute request's path");
            RouteDecision.Forward before = kept.putIfAbsent(plain.cluster(), plain);
            if (before != null) {
                assertSame(before, plain, "a request with a path of its own leaves the kept decision alone");
            }
        }
    }

    @Test
    void aNewConfigurationMakesNewDecisions() {
        apply(snapshot(15_000));
        RouteDecision.Forward before = forward(get("/", "api.local:9000"));
        apply(snapshot(2_000));
        RouteDecision.Forward after = forward(get("/", "api.local:9000"));
        assertNotSame(before, after);
        assertEquals(2_000, after.timeoutMillis(), "the new route's timeout");
    }

    @Test
    void theViewRoutingReusesNeverCarriesTheLastRequestsPathOrQuery() {
        // Two routes: /v2 paths, or ?v=2 in the query, go to api-v2; everything else to api-v1.
        Route byQuery = new Route("by-query", 0, Protocol.HTTP, new HttpMatch("/", null, null, null, null, null, null,
                List.of(new io.meshwork.proxyapi.QueryMatch("v", "2")), null, null), null,
                List.of(new WeightedTarget("api-v2", 9000, 1)), null, null);
        Route byPath = new Route("by-path", 1, Protocol.HTTP, new HttpMatch("/v2", null, null, null, null, null, null, null, null, null),
                null, List.of(new WeightedTarget("api-v2", 9000, 1)), null, null);
        Route rest = new Route("rest", 2, Protocol.HTTP, new HttpMatch("/", null, null, null, null, null, null, null, null, null),
                null, List.of(new WeightedTarget("api-v1", 9000, 1)), null, null);
        apply(snapshot(List.of(byQuery, byPath, rest)));
        String[][] cases = {{"/a?v=2", "by-query"}, {"/a", "rest"}, {"/v2/x", "by-path"}, {"/a?v=1", "rest"}, {"/v2?v=2", "by-query"},
                {"/b", "rest"}, {"/a?x=1&v=2", "by-query"}, {"/", "rest"}};
        for (int round = 0; round < 3; round++) {
            for (String[] c : cases) {
                assertEquals(c[1], forward(get(c[0], "api.local:9000")).route(), c[0]);
            }
        }
    }

    private RouteDecision.Forward forward(HttpRequest request) {
        RouteDecision d = routing.route(request);
        if (d instanceof RouteDecision.Forward f) {
            return f;
        }
        throw new AssertionError("not forwarded: " + d);
    }

    private static HttpRequest get(String uri, String host) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", host);
        return r;
    }

    private void apply(ProxySnapshot snapshot) {
        clusters.prepare(snapshot.clusters()).commit();
        active.set(RuntimeConfig.of(snapshot, SnapshotJson.write(snapshot), metrics.traffic()));
    }

    private static ProxySnapshot snapshot(long timeoutMillis) {
        return snapshot(List.of(new Route("api-route", 0, Protocol.HTTP, new HttpMatch("/", null, null, null, null, null, null, null, null, null),
                null, List.of(new WeightedTarget("api-v1", 9000, 1), new WeightedTarget("api-v2", 9000, 1)), null,
                new io.meshwork.proxyapi.Timeouts(timeoutMillis, null))));
    }

    private static ProxySnapshot snapshot(List<Route> routes) {
        VirtualService service = new VirtualService("api.local", List.of(new ServicePort(9000, Protocol.HTTP, routes)));
        return SnapshotJson.versioned(new ProxySnapshot(null, 1, "m", ProxySnapshot.VIRTUAL_NODE, "web", "DROP_ALL",
                List.of(), List.of(service), null, List.of(cluster("api-v1", "127.0.1.91"), cluster("api-v2", "127.0.1.92")),
                null, null, null, null));
    }

    private static Cluster cluster(String name, String address) {
        return new Cluster(name, List.of(new Listener(9000, Protocol.HTTP, null, null, null, null, null)), null,
                List.of(new Endpoint(address, null, "registered")));
    }
}
