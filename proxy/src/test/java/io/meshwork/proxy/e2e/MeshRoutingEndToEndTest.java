package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.EgressFilterType;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.RouteSpec;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterListener;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A mesh on loopback: the real control API, four proxies as processes in local mode (each on its
 * own 127.0.0.x), apps on 127.0.1.x. A frontend calls "api" (a router: canary split plus routes
 * for every match kind) and "legacy" (a node provider), through its egress listener.
 */
class MeshRoutingEndToEndTest {
    private static final String API = "api.e2e.local";
    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static MeshHttp frontend;

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName("e2e"));
        node("api-v1", 9080, "127.0.0.52", List.of());
        node("api-v2", 9080, "127.0.0.53", List.of());
        node("legacy", 9090, "127.0.0.54", List.of());
        node("frontend", 8080, "127.0.0.51", List.of(API, "legacy.e2e.local"));
        appMesh.createVirtualRouter(r -> r.meshName("e2e").virtualRouterName("api").spec(s -> s.listeners(
                VirtualRouterListener.builder().portMapping(p -> p.port(80).protocol(PortProtocol.HTTP)).build())));
        route("canary", 100, h -> h.match(m -> m.prefix("/")), 90, 10);
        route("header", 1, h -> h.match(m -> m.prefix("/").headers(x -> x.name("x-version").match(v -> v.exact("v2")))), 0, 1);
        route("exact", 2, h -> h.match(m -> m.path(p -> p.exact("/exact"))), 0, 1);
        route("regex", 3, h -> h.match(m -> m.path(p -> p.regex("/re/[0-9]+"))), 0, 1);
        route("query", 4, h -> h.match(m -> m.prefix("/q").queryParameters(q -> q.name("flag").match(v -> v.exact("on")))), 0, 1);
        route("method", 5, h -> h.match(m -> m.prefix("/m").method("DELETE")), 0, 1);
        route("prefix-header", 6, h -> h.match(m -> m.prefix("/").headers(x -> x.name("x-user").match(v -> v.prefix("beta-")))), 0, 1);
        route("range-header", 7, h -> h.match(m -> m.prefix("/").headers(x -> x.name("x-n").match(v -> v.range(g -> g.start(10L).end(20L))))), 0, 1);
        route("inverted", 8, h -> h.match(m -> m.prefix("/inv").headers(x -> x.name("x-block").invert(true).match(v -> v.exact("1")))), 0, 1);
        appMesh.createVirtualService(r -> r.meshName("e2e").virtualServiceName(API)
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("api")))));
        appMesh.createVirtualService(r -> r.meshName("e2e").virtualServiceName("legacy.e2e.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("legacy")))));

        running.add(TestBackend.http("api-v1", "127.0.1.52", 9080));
        running.add(TestBackend.http("api-v2", "127.0.1.53", 9080));
        running.add(TestBackend.http("legacy", "127.0.1.54", 9090));
        Path data = Files.createTempDirectory("proxy-data-");
        List<ProxyProcess> proxies = List.of(
                ProxyProcess.start(plane, "mesh/e2e/virtualNode/api-v1", "127.0.0.52", "127.0.1.52", data, Map.of()),
                ProxyProcess.start(plane, "mesh/e2e/virtualNode/api-v2", "127.0.0.53", "127.0.1.53", data, Map.of()),
                ProxyProcess.start(plane, "mesh/e2e/virtualNode/legacy", "127.0.0.54", "127.0.1.54", data, Map.of()),
                ProxyProcess.start(plane, "arn:aws:appmesh:us-east-1:000000000000:mesh/e2e/virtualNode/frontend",
                        "127.0.0.51", "127.0.1.51", data, Map.of()));
        running.addAll(proxies);
        proxies.forEach(ProxyProcess::awaitReady);
        frontend = new MeshHttp("127.0.0.51");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
        appMesh.close();
        plane.close();
    }

    @Test
    void everyMatchKindRoutesToItsTarget() {
        assertEquals("api-v2", MeshHttp.backend(frontend.send("GET", API, "/", Map.of("x-version", "v2"))));
        assertEquals("api-v2", MeshHttp.backend(frontend.get(API, "/exact")));
        assertEquals("api-v2", MeshHttp.backend(frontend.get(API, "/re/42")));
        assertEquals("api-v2", MeshHttp.backend(frontend.get(API, "/q?flag=on")));
        assertEquals("api-v2", MeshHttp.backend(frontend.send("DELETE", API, "/m", Map.of())));
        assertEquals("api-v2", MeshHttp.backend(frontend.send("GET", API, "/", Map.of("x-user", "beta-anna"))));
        assertEquals("api-v2", MeshHttp.backend(frontend.send("GET", API, "/", Map.of("x-n", "15"))));
        assertEquals("api-v2", MeshHttp.backend(frontend.get(API, "/inv")), "inverted: no x-block header matches");

        // Near misses fall through to the canary route, whose first 9 of 10 picks go to v1.
        assertNotEquals("api-v2", onlyV1("GET", "/exact/not", Map.of()));
        assertNotEquals("api-v2", onlyV1("GET", "/re/abc", Map.of()));
        assertNotEquals("api-v2", onlyV1("GET", "/q?flag=off", Map.of()));
        assertNotEquals("api-v2", onlyV1("GET", "/m", Map.of()));
        assertNotEquals("api-v2", onlyV1("GET", "/", Map.of("x-n", "20")));
        assertNotEquals("api-v2", onlyV1("GET", "/inv", Map.of("x-block", "1")));

        assertEquals("legacy", MeshHttp.backend(frontend.get("legacy.e2e.local", "/")), "a node provider's implicit route");
        HttpResponse<String> viaApi = frontend.get(API + ":80", "/exact");
        assertTrue(viaApi.body().contains("host=" + API + ":80"), "the app sees the Host the client sent: " + viaApi.body());
    }

    /** Sends the same request ten times and returns "api-v2" only if all went to v2, else what one went to. */
    private static String onlyV1(String method, String path, Map<String, String> headers) {
        String seen = "api-v2";
        for (int i = 0; i < 10; i++) {
            String b = MeshHttp.backend(frontend.send(method, API, path, headers));
            if (!b.equals("api-v2")) {
                seen = b;
            }
        }
        return seen;
    }

    @Test
    void aNinetyTenSplitHoldsWithinThreePercentOverTwoThousandRequests() {
        int v2 = 0;
        int v1 = 0;
        for (int i = 0; i < 2000; i++) {
            HttpResponse<String> response = frontend.get(API, "/split");
            assertEquals(200, response.statusCode(), response.body());
            if (MeshHttp.backend(response).equals("api-v2")) {
                v2++;
            } else {
                v1++;
            }
        }
        assertEquals(2000, v1 + v2);
        assertTrue(Math.abs(v2 - 200) <= 60, "v2 got " + v2 + " of 2000 (expected 200 ± 60)");
    }

    @Test
    void egressFilterDropAllRefusesNonBackendsAndAllowAllPassesThem() throws Exception {
        HttpResponse<String> denied = frontend.get("127.0.1.54:9090", "/");
        assertEquals(404, denied.statusCode());
        assertEquals("NR", denied.headers().firstValue("x-meshwork-flags").orElse(""));
        assertTrue(denied.body().contains("DROP_ALL"));

        appMesh.updateMesh(r -> r.meshName("e2e").spec(s -> s.egressFilter(f -> f.type(EgressFilterType.ALLOW_ALL))));
        try {
            assertEventually(() -> assertEquals("legacy", MeshHttp.backend(frontend.get("127.0.1.54:9090", "/"))));
        } finally {
            appMesh.updateMesh(r -> r.meshName("e2e").spec(s -> s.egressFilter(f -> f.type(EgressFilterType.DROP_ALL))));
            assertEventually(() -> assertEquals(404, frontend.get("127.0.1.54:9090", "/").statusCode()));
        }
        var stats = new ProxyProcessStats("127.0.0.51").stats();
        assertTrue(stats.sum("meshwork_local_responses_total", "direction", "egress", "flag", "NR") > 0, stats.samples().toString());
    }

    @Test
    void aRouteChangeAppliesWithinASecondWithoutFailingRequestsInFlight() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        ExecutorService load = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            load.submit(() -> {
                MeshHttp client = new MeshHttp("127.0.0.51");
                while (!stop.get()) {
                    HttpResponse<String> r = client.get(API, "/change?ms=20");
                    if (r.statusCode() != 200) {
                        errors.add(r.statusCode() + " " + r.body());
                    }
                    done.incrementAndGet();
                }
                return null;
            });
        }
        assertEventually(() -> assertTrue(done.get() >= 40, "load is running"));
        long changedAt = System.nanoTime();
        // The fact to wait for: every proxy of the mesh acknowledged the configuration with the change.
        plane.changeAndAwaitProxies("e2e", () -> appMesh.updateRoute(r -> r.meshName("e2e").virtualRouterName("api")
                .routeName("canary").spec(RouteSpec.builder().priority(100).httpRoute(h -> h.match(m -> m.prefix("/"))
                        .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("api-v2").weight(1).build()))).build())));
        long applied = Duration.ofNanos(System.nanoTime() - changedAt).toMillis();
        int atChange = done.get();
        assertEventually(() -> assertTrue(done.get() >= atChange + 100, "load goes on after the change"));
        stop.set(true);
        load.shutdown();
        assertTrue(load.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(errors.isEmpty(), "failed requests: " + errors);
        assertTrue(applied < 1000, "applied and acknowledged by every proxy after " + applied + " ms");
        for (int i = 0; i < 20; i++) {
            assertEquals("api-v2", MeshHttp.backend(frontend.get(API, "/after")), "every request after the acknowledgement");
        }
        // Restore the canary for the other tests.
        plane.changeAndAwaitProxies("e2e", () -> route("canary", 100, h -> h.match(m -> m.prefix("/")), 90, 10, true));
    }

    private static void node(String name, int port, String address, List<String> backends) {
        appMesh.createVirtualNode(r -> r.meshName("e2e").virtualNodeName(name).spec(s -> {
            s.listeners(Listener.builder().portMapping(p -> p.port(port).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname(address)));
            if (!backends.isEmpty()) {
                s.backends(backends.stream().map(b -> software.amazon.awssdk.services.appmesh.model.Backend.builder()
                        .virtualService(v -> v.virtualServiceName(b)).build()).toList());
            }
        }));
    }

    private static void route(String name, int priority, Consumer<software.amazon.awssdk.services.appmesh.model.HttpRoute.Builder> match,
                              int v1, int v2) {
        route(name, priority, match, v1, v2, false);
    }

    private static void route(String name, int priority, Consumer<software.amazon.awssdk.services.appmesh.model.HttpRoute.Builder> match,
                              int v1, int v2, boolean update) {
        List<WeightedTarget> targets = new ArrayList<>();
        if (v1 > 0) {
            targets.add(WeightedTarget.builder().virtualNode("api-v1").weight(v1).build());
        }
        if (v2 > 0) {
            targets.add(WeightedTarget.builder().virtualNode("api-v2").weight(v2).build());
        }
        RouteSpec spec = RouteSpec.builder().priority(priority).httpRoute(h -> {
            match.accept(h);
            h.action(a -> a.weightedTargets(targets));
        }).build();
        if (update) {
            appMesh.updateRoute(r -> r.meshName("e2e").virtualRouterName("api").routeName(name).spec(spec));
        } else {
            appMesh.createRoute(r -> r.meshName("e2e").virtualRouterName("api").routeName(name).spec(spec));
        }
    }

    static void assertEventually(Runnable assertion) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(5);
        AssertionError last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw last;
    }
}
