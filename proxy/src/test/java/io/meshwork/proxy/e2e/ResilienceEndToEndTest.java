package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.PrometheusText;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.Load;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.DurationUnit;
import software.amazon.awssdk.services.appmesh.model.HealthCheckPolicy;
import software.amazon.awssdk.services.appmesh.model.HttpRetryPolicy;
import software.amazon.awssdk.services.appmesh.model.HttpRoute;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.OutlierDetection;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.TcpRetryPolicyEvent;
import software.amazon.awssdk.services.appmesh.model.VirtualNodeConnectionPool;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A virtual node with three instances (three proxies of node {@code api}, each in front of its
 * own app) called through a client's proxy, while one instance fails, dies, stalls, overflows
 * or fails its health check. Retries and ejection act among the instances of one target, as in
 * App Mesh.
 */
class ResilienceEndToEndTest {
    private static final String MESH = "resilience";
    private static final String SERVICE = "api.res.local";
    private static final String[] INSTANCES = {"127.0.0.111", "127.0.0.112", "127.0.0.113"};

    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static Path data;
    private static final TestBackend[] apps = new TestBackend[3];
    private static final ProxyProcess[] proxies = new ProxyProcess[3];
    private static ProxyProcess client;
    private static final MeshHttp http = new MeshHttp("127.0.0.110");

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName(MESH));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("api").spec(s -> s.listeners(listener(l -> { }))
                .serviceDiscovery(d -> d.awsCloudMap(c -> c.namespaceName("res.local").serviceName("api")))));
        appMesh.createVirtualRouter(r -> r.meshName(MESH).virtualRouterName("api").spec(s -> s.listeners(
                l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))));
        appMesh.createRoute(r -> r.meshName(MESH).virtualRouterName("api").routeName("all").spec(s -> s.httpRoute(route(null, null))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(SERVICE)
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("api")))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("client").spec(s -> s
                .backends(b -> b.virtualService(v -> v.virtualServiceName(SERVICE)))));
        data = Files.createTempDirectory("proxy-data-");
        for (int i = 0; i < 3; i++) {
            apps[i] = TestBackend.http("api-" + (i + 1), app(i), 8080);
            proxies[i] = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/api", INSTANCES[i], app(i), data, Map.of());
        }
        client = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/client", "127.0.0.110", "127.0.1.110", data, Map.of());
        for (ProxyProcess p : proxies) {
            p.awaitReady();
        }
        client.awaitReady();
        awaitAllInstancesServe();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        for (int i = 0; i < 3; i++) {
            proxies[i].close();
            apps[i].close();
        }
        appMesh.close();
        plane.close();
    }

    @AfterEach
    void heal() throws Exception {
        for (TestBackend app : apps) {
            app.failing(0, 503).stalled(false).health(200);
        }
        // A test that failed half-way leaves its policies behind; the next one must not inherit them.
        if (listenerChanged) {
            setListener(l -> { });
        }
        if (routeChanged) {
            setRoute(route(null, null));
        }
        eventually(Duration.ofSeconds(15), () -> assertFalse(new ProxyProcessStats("127.0.0.110").get("/clusters").contains("/failed_"),
                "every instance usable again before the next test"));
    }

    @Test
    void retriesHideAnInstanceThatFailsHalfItsRequests() throws Exception {
        // App Mesh's own default (no retry policy on the route): 2 retries on 503.
        apps[1].failing(0.5, 503);
        assertTrue(Load.run(8, 1000, ResilienceEndToEndTest::call).successRate() >= 0.999, "the default policy retries 503");

        // A status the default does not retry reaches the caller raw: about a sixth of requests.
        apps[1].failing(0.5, 500);
        double raw = Load.run(8, 1200, ResilienceEndToEndTest::call).successRate();
        assertTrue(raw > 0.75 && raw < 0.92, "raw failures without a policy for 500: success " + raw);

        // With a policy of 3 retries on server errors the caller sees none of it.
        setRoute(route(retry(3, 2000, "server-error"), null));
        apps[1].failing(0.5, 503);
        Load.Result result = Load.run(8, 5000, ResilienceEndToEndTest::call);
        assertTrue(result.successRate() >= 0.999, "success " + result.successRate() + " over 5,000 requests");
        PrometheusText stats = new ProxyProcessStats("127.0.0.110").stats();
        assertTrue(stats.sum("meshwork_upstream_retries_total", "cluster", "api", "reason", "503") > 0, stats.samples().toString());
        setRoute(route(null, null));
    }

    @Test
    void aKilledInstanceIsEjectedAndUsedAgainAfterItsEjection() throws Exception {
        setListener(l -> l.outlierDetection(OutlierDetection.builder().maxServerErrors(3L)
                .interval(d -> d.unit(DurationUnit.S).value(10L)).baseEjectionDuration(d -> d.unit(DurationUnit.S).value(3L))
                .maxEjectionPercent(50).build()));
        setRoute(route(retry(3, 2000, "gateway-error"), null));
        AtomicLong killedAt = new AtomicLong();
        Load.Result result = Load.run(4, 3000, ResilienceEndToEndTest::call, n -> {
            if (n == 1000) {
                try {
                    proxies[2].kill();
                    apps[2].close();
                    killedAt.set(System.nanoTime());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertTrue(killedAt.get() != 0);
        assertTrue(result.successRate() >= 0.999, "success " + result.successRate() + " with an instance killed mid-load");
        String clusters = new ProxyProcessStats("127.0.0.110").get("/clusters");
        assertTrue(clusters.contains("api::127.0.0.113:8080::health_flags::/failed_outlier_check"), clusters);
        assertTrue(new ProxyProcessStats("127.0.0.110").stats().sum("meshwork_outlier_ejections_total", "cluster", "api") >= 1);

        // It comes back; after the ejection (3 s) it gets traffic again.
        apps[2] = TestBackend.http("api-3", app(2), 8080);
        proxies[2] = proxies[2].restart().awaitReady();
        long back = System.nanoTime();
        eventually(Duration.ofSeconds(10), () -> {
            http.get(SERVICE, "/");
            assertTrue(apps[2].requests() > 0, "the returned instance serves again");
        });
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt.get());
        assertTrue(waited >= 3000, "not before its ejection ended: " + waited + " ms");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back) < 10_000);
        setListener(l -> { });
        setRoute(route(null, null));
    }

    @Test
    void aStalledInstanceCostsAtMostThePerRetryTimeoutAndTheRouteTimeoutBoundsEverything() throws Exception {
        setRoute(route(retry(2, 500, "gateway-error"), 2000L));
        apps[0].stalled(true);
        Load.Result oneStalled = Load.run(6, 90, ResilienceEndToEndTest::call);
        assertEquals(1.0, oneStalled.successRate(), "retries go to the instances that answer");
        assertTrue(oneStalled.maxMillis() < 1500, "slowest " + oneStalled.maxMillis() + " ms: one per-retry timeout plus backoff");

        for (TestBackend app : apps) {
            app.stalled(true);
        }
        Load.Result allStalled = Load.run(6, 12, ResilienceEndToEndTest::call);
        assertEquals(0.0, allStalled.successRate());
        assertTrue(allStalled.maxMillis() < 2500, "slowest " + allStalled.maxMillis() + " ms; the route timeout is 2 s");
        assertEquals(504, http.get(SERVICE, "/").statusCode());
        setRoute(route(null, null));
    }

    @Test
    void overflowingTheConnectionPoolFailsFastWithoutGrowingMemoryAndRecoversAtOnce() throws Exception {
        setListener(l -> l.connectionPool(VirtualNodeConnectionPool.builder()
                .http(h -> h.maxConnections(2).maxPendingRequests(2)).build()));
        // Straight at one instance's proxy: the pool guards the app behind it.
        HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI slow = URI.create("http://" + INSTANCES[0] + ":8080/slow?ms=1500");
        long rssBefore = proxies[0].residentKib();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            calls.add(direct.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int overflowed = 0;
        long slowestOverflow = 0;
        for (var call : calls) {
            HttpResponse<String> r = call.get(20, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else if (r.statusCode() == 503 && "UO".equals(r.headers().firstValue("x-meshwork-flags").orElse(""))) {
                overflowed++;
            }
        }
        long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(ok >= 4 && ok <= 8, ok + " served (2 at the app, 2 waiting, in a couple of rounds)");
        assertEquals(200, ok + overflowed, "everything else is refused at once, with flag UO");
        assertTrue(total < 6000, "the burst was over in " + total + " ms");
        assertTrue(proxies[0].residentKib() - rssBefore < 32 * 1024, "resident memory stays flat");
        HttpResponse<String> after = direct.send(HttpRequest.newBuilder(URI.create("http://" + INSTANCES[0] + ":8080/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, after.statusCode(), "and the next request is served at once");
        assertTrue(new ProxyProcessStats(INSTANCES[0]).stats()
                .sum("meshwork_upstream_overflow_total", "cluster", "local_app", "limit", "pending") > 0);
        setListener(l -> { });
    }

    @Test
    void aFailingHealthCheckMovesTrafficAwayAndTheInstanceSaysItIsNotReady() throws Exception {
        setListener(l -> l.healthCheck(HealthCheckPolicy.builder().protocol(PortProtocol.HTTP).path("/health")
                .intervalMillis(5000L).timeoutMillis(2000L).healthyThreshold(2).unhealthyThreshold(2).build()));
        apps[1].health(500);
        long failingSince = System.nanoTime();
        eventually(Duration.ofSeconds(14), () -> {
            int before = apps[1].requests();
            for (int i = 0; i < 30; i++) {
                assertEquals(200, http.get(SERVICE, "/").statusCode());
            }
            assertEquals(before, apps[1].requests(), "no traffic to the instance failing its health check");
        });
        long moved = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSince);
        assertTrue(moved <= 12_000, "traffic moved away after " + moved + " ms (interval 5 s × threshold 2)");
        assertTrue(new ProxyProcessStats("127.0.0.110").get("/clusters")
                .contains("api::127.0.0.112:8080::health_flags::/failed_active_hc"));
        // The instance's own proxy checks its app on its own schedule: within one more interval it says so too.
        eventually(Duration.ofSeconds(6), () -> assertEquals(503, status(URI.create("http://" + INSTANCES[1] + ":9901/ready")),
                "its own proxy is not ready"));

        apps[1].health(200);
        eventually(Duration.ofSeconds(14), () -> {
            for (int i = 0; i < 30; i++) {
                http.get(SERVICE, "/");
            }
            assertTrue(new ProxyProcessStats("127.0.0.110").get("/clusters").contains("api::127.0.0.112:8080::health_flags::healthy"));
        });
        // The instance's own proxy checks its app on its own schedule, so it may lag the caller by one interval.
        eventually(Duration.ofSeconds(12), () -> assertEquals(200, status(URI.create("http://" + INSTANCES[1] + ":9901/ready"))));
        setListener(l -> { });
    }

    // --- the mesh -------------------------------------------------------------------------------

    private static String app(int i) {
        return INSTANCES[i].replace("127.0.0.", "127.0.1.");
    }

    private static Listener listener(Consumer<Listener.Builder> extra) {
        Listener.Builder b = Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP));
        extra.accept(b);
        return b.build();
    }

    private static HttpRetryPolicy retry(long maxRetries, long perRetryMillis, String... events) {
        return HttpRetryPolicy.builder().maxRetries(maxRetries).perRetryTimeout(d -> d.unit(DurationUnit.MS).value(perRetryMillis))
                .httpRetryEvents(events).tcpRetryEvents(TcpRetryPolicyEvent.CONNECTION_ERROR).build();
    }

    private static HttpRoute route(HttpRetryPolicy retry, Long perRequestMillis) {
        HttpRoute.Builder b = HttpRoute.builder().match(m -> m.prefix("/"))
                .action(a -> a.weightedTargets(t -> t.virtualNode("api").weight(1)));
        if (retry != null) {
            b.retryPolicy(retry);
        }
        if (perRequestMillis != null) {
            b.timeout(t -> t.perRequest(d -> d.unit(DurationUnit.MS).value(perRequestMillis)));
        }
        return b.build();
    }

    private static boolean listenerChanged;
    private static boolean routeChanged;

    private static void setRoute(HttpRoute route) throws Exception {
        routeChanged = route.retryPolicy() != null || route.timeout() != null;
        plane.changeAndAwaitProxies(MESH, () ->
                appMesh.updateRoute(r -> r.meshName(MESH).virtualRouterName("api").routeName("all").spec(s -> s.httpRoute(route))));
    }

    private static void setListener(Consumer<Listener.Builder> extra) throws Exception {
        listenerChanged = !listener(extra).equals(listener(l -> { }));
        plane.changeAndAwaitProxies(MESH, () -> appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("api")
                .spec(s -> s.listeners(listener(extra))
                        .serviceDiscovery(d -> d.awsCloudMap(c -> c.namespaceName("res.local").serviceName("api"))))));
    }

    private static void awaitAllInstancesServe() throws Exception {
        eventually(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 30; i++) {
                http.get(SERVICE, "/");
            }
            for (TestBackend app : apps) {
                assertTrue(app.requests() > 0, "every instance serves");
            }
        });
    }

    private static int status(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** One call of the service through the client's proxy, as the load counts it. */
    private static Load.Reply call() {
        return Load.Reply.of(http.get(SERVICE, "/"));
    }
}
