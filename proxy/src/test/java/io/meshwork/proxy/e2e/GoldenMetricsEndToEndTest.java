package io.meshwork.proxy.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.PrometheusText;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.RecordingRelay;
import io.meshwork.proxy.support.TestBackend;
import io.meshwork.proxyapi.ProxyReport;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.TrafficReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Backend;
import software.amazon.awssdk.services.appmesh.model.DurationUnit;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterListener;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden signals a user reads off /stats/prometheus and the control plane reads off the
 * heartbeat, through two proxies in local mode with the real control API and real apps: a
 * frontend calls "api" (HTTP, two routes, one with its own retry policy) and "db" (TCP), both
 * served by the api node's proxy. Requests have known outcomes, so the counts are exact.
 */
class GoldenMetricsEndToEndTest {
    private static final String MESH = "golden";
    private static final String API = "api.golden.local";
    private static final String DB = "db.golden.local";
    private static final String FRONT = "127.0.0.91";
    private static final String API_PROXY = "127.0.0.92";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static RecordingRelay relay;
    private static TestBackend apiApp;
    private static final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName(MESH));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("api").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(9080).protocol(PortProtocol.HTTP)).build(),
                        Listener.builder().portMapping(p -> p.port(7300).protocol(PortProtocol.TCP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname(API_PROXY)))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("front").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname(FRONT)))
                .backends(Backend.builder().virtualService(v -> v.virtualServiceName(API)).build(),
                        Backend.builder().virtualService(v -> v.virtualServiceName(DB)).build())));
        appMesh.createVirtualRouter(r -> r.meshName(MESH).virtualRouterName("api").spec(s -> s.listeners(
                VirtualRouterListener.builder().portMapping(p -> p.port(9080).protocol(PortProtocol.HTTP)).build())));
        WeightedTarget toApi = WeightedTarget.builder().virtualNode("api").weight(1).build();
        appMesh.createRoute(r -> r.meshName(MESH).virtualRouterName("api").routeName("ok").spec(s -> s.priority(10)
                .httpRoute(h -> h.match(m -> m.prefix("/")).action(a -> a.weightedTargets(toApi)))));
        appMesh.createRoute(r -> r.meshName(MESH).virtualRouterName("api").routeName("flaky").spec(s -> s.priority(1)
                .httpRoute(h -> h.match(m -> m.prefix("/flaky")).action(a -> a.weightedTargets(toApi))
                        .retryPolicy(p -> p.maxRetries(1L).perRetryTimeout(d -> d.unit(DurationUnit.S).value(5L))
                                .httpRetryEvents("server-error")))));
        appMesh.createVirtualRouter(r -> r.meshName(MESH).virtualRouterName("db").spec(s -> s.listeners(
                VirtualRouterListener.builder().portMapping(p -> p.port(7300).protocol(PortProtocol.TCP)).build())));
        appMesh.createRoute(r -> r.meshName(MESH).virtualRouterName("db").routeName("all").spec(s -> s
                .tcpRoute(t -> t.action(a -> a.weightedTargets(toApi)))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(API)
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("api")))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(DB)
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("db")))));

        apiApp = TestBackend.http("api", "127.0.1.92", 9080);
        running.add(apiApp);
        running.add(TestBackend.tcpEcho("db", "127.0.1.92", 7300));
        relay = new RecordingRelay(plane.endpoint());
        running.add(relay);
        Path data = Files.createTempDirectory("proxy-data-");
        ProxyProcess front = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/front", FRONT, "127.0.1.91", data,
                Map.of("PROXY_CONTROL_API_URL", relay.endpoint().toString()));
        ProxyProcess api = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/api", API_PROXY, "127.0.1.92", data, Map.of());
        running.add(front);
        running.add(api);
        front.awaitReady();
        api.awaitReady();
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
    void requestsRetriesAndATcpConnectionShowPerNodeRouteAndTargetInTheStatsAndTheHeartbeat() throws Exception {
        MeshHttp http = new MeshHttp(FRONT);
        long okBodyBytes = 0;
        for (int i = 0; i < 5; i++) {
            okBodyBytes += body(expect(200, http.get(API, "/")));
        }
        // App Mesh's implicit policy retries a 503 twice: 2 requests, 4 retries, the caller sees 503.
        for (int i = 0; i < 2; i++) {
            okBodyBytes += body(expect(503, http.get(API, "/status/503")));
        }
        okBodyBytes += body(expect(404, http.get(API, "/status/404")));
        // The flaky route's own policy: one retry on server errors (the app fails both attempts).
        apiApp.failing(1.0, 500);
        long flakyBodyBytes = body(expect(500, http.get(API, "/flaky")));
        apiApp.failing(0, 500);
        HttpResponse<String> unknown = expect(404, http.get("nowhere.golden.local", "/"));
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 'x');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(FRONT, 7300), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(payload);
            out.flush();
            InputStream in = socket.getInputStream();
            assertEquals(payload.length, in.readNBytes(payload.length).length, "the echo came back");
        }

        String[] ok = {"mesh", MESH, "virtual_node", "front", "direction", "egress", "virtual_service", API, "route", "api/ok",
                "cluster", "api"};
        String[] flaky = {"mesh", MESH, "virtual_node", "front", "direction", "egress", "virtual_service", API, "route", "api/flaky",
                "cluster", "api"};
        String[] db = {"mesh", MESH, "virtual_node", "front", "direction", "egress", "virtual_service", DB, "route", "db/all",
                "cluster", "api"};
        String[] apiHttp = {"mesh", MESH, "virtual_node", "api", "direction", "ingress", "listener", "9080", "cluster", "local_app"};
        String[] apiTcp = {"mesh", MESH, "virtual_node", "api", "direction", "ingress", "listener", "7300", "cluster", "local_app"};
        // The TCP connection is counted once both proxies have seen it close.
        AtomicReference<PrometheusText> frontStats = new AtomicReference<>();
        AtomicReference<PrometheusText> apiStats = new AtomicReference<>();
        eventually(Duration.ofSeconds(10), () -> {
            frontStats.set(new ProxyProcessStats(FRONT).stats());
            apiStats.set(new ProxyProcessStats(API_PROXY).stats());
            assertEquals(1, frontStats.get().value("meshwork_tcp_connection_duration_seconds_count", db));
            assertEquals(1, apiStats.get().value("meshwork_tcp_connection_duration_seconds_count", apiTcp));
        });
        PrometheusText f = frontStats.get();
        PrometheusText a = apiStats.get();

        // The frontend's egress, per route and target.
        assertEquals(5, f.value("meshwork_requests_total", with(ok, "code_class", "2xx")));
        assertEquals(1, f.value("meshwork_requests_total", with(ok, "code_class", "4xx")));
        assertEquals(2, f.value("meshwork_requests_total", with(ok, "code_class", "5xx")));
        assertEquals(4, f.value("meshwork_upstream_retries_total", with(ok, "reason", "503")));
        assertEquals(1, f.value("meshwork_requests_total", with(flaky, "code_class", "5xx")));
        assertEquals(1, f.value("meshwork_upstream_retries_total", with(flaky, "reason", "500")));
        assertEquals(okBodyBytes, f.value("meshwork_sent_bytes_total", ok));
        assertEquals(flakyBodyBytes, f.value("meshwork_sent_bytes_total", flaky));
        assertHistogram(f, "meshwork_request_duration_seconds", ok, 8);
        assertHistogram(f, "meshwork_request_duration_seconds", flaky, 1);
        assertTrue(f.value("meshwork_upstream_connections_total", ok) >= 1);
        // The request for a service that is not a backend: answered by the proxy, on no route.
        assertEquals(1, f.value("meshwork_requests_total", "virtual_node", "front", "direction", "egress", "virtual_service", "",
                "code_class", "4xx"));
        assertEquals(unknown.body().length(), f.value("meshwork_sent_bytes_total", "virtual_node", "front", "direction", "egress",
                "virtual_service", ""));
        assertEquals(1, f.value("meshwork_local_responses_total", "virtual_node", "front", "direction", "egress", "flag", "NR"));
        // TCP: one connection, the bytes each way.
        assertEquals(1, f.value("meshwork_upstream_connections_total", db));
        assertEquals(0, f.value("meshwork_upstream_connections_active", db));
        assertEquals(payload.length, f.value("meshwork_received_bytes_total", db));
        assertEquals(payload.length, f.value("meshwork_sent_bytes_total", db));
        assertHistogram(f, "meshwork_tcp_connection_duration_seconds", db, 1);

        // The api node's ingress sees every attempt, retries included, by listener.
        assertEquals(5, a.value("meshwork_requests_total", with(apiHttp, "code_class", "2xx")));
        assertEquals(1, a.value("meshwork_requests_total", with(apiHttp, "code_class", "4xx")));
        assertEquals(6 + 2, a.value("meshwork_requests_total", with(apiHttp, "code_class", "5xx")));
        assertHistogram(a, "meshwork_request_duration_seconds", apiHttp, 14);
        assertEquals(1, a.value("meshwork_upstream_connections_total", apiTcp));
        assertEquals(payload.length, a.value("meshwork_received_bytes_total", apiTcp));
        assertEquals(payload.length, a.value("meshwork_sent_bytes_total", apiTcp));

        // The frontend's heartbeat carries the same numbers, and the control API takes it.
        AtomicReference<TrafficReport> heartbeat = new AtomicReference<>();
        eventually(Duration.ofSeconds(15), () -> {
            TrafficReport report = lastAcceptedReport();
            assertNotNull(report, "no accepted report carried traffic yet");
            TrafficReport.Edge edge = edge(report, "outbound", API, "api/ok");
            assertNotNull(edge, report.toString());
            assertEquals(8, edge.requests());
            assertNotNull(edge(report, "outbound", DB, "db/all"));
            assertEquals(1, edge(report, "outbound", DB, "db/all").connections());
            heartbeat.set(report);
        });
        TrafficReport report = heartbeat.get();
        assertTrue(report.startedAtMillis() > 0 && report.startedAtMillis() <= System.currentTimeMillis());
        TrafficReport.Edge okEdge = edge(report, "outbound", API, "api/ok");
        assertEquals("api", okEdge.target());
        assertEquals("http", okEdge.protocol());
        assertArrayEquals(new long[] {0, 5, 0, 1, 2}, okEdge.responsesByClass());
        assertEquals(4, okEdge.retries());
        assertEquals(okBodyBytes, okEdge.bytesSent());
        assertEquals((long) f.value("meshwork_upstream_connections_total", ok), okEdge.connections());
        assertReportBucketsMatch(f, ok, okEdge);
        assertEquals(Math.round(f.value("meshwork_request_duration_seconds_sum", ok) * 1e6), okEdge.latencySumMicros(), 1.0);
        TrafficReport.Edge flakyEdge = edge(report, "outbound", API, "api/flaky");
        assertEquals(1, flakyEdge.requests());
        assertEquals(1, flakyEdge.retries());
        assertArrayEquals(new long[] {0, 0, 0, 0, 1}, flakyEdge.responsesByClass());
        TrafficReport.Edge dbEdge = edge(report, "outbound", DB, "db/all");
        assertEquals(List.of("tcp", "api", 0L, (long) payload.length, (long) payload.length),
                List.of(dbEdge.protocol(), dbEdge.target(), dbEdge.requests(), dbEdge.bytesReceived(), dbEdge.bytesSent()));
        assertEquals(1, Arrays.stream(dbEdge.latencyBuckets()).sum(), "one connection lifetime");
        TrafficReport.Edge unrouted = report.edges().stream().filter(e -> e.destination() == null).findFirst().orElseThrow();
        assertEquals(List.of("outbound", 1L), List.of(unrouted.direction(), unrouted.requests()));
        assertTrue(report.edges().stream().noneMatch(e -> e.requests() == 0 && e.connections() == 0),
                "only edges that saw traffic: " + report.edges());
    }

    /** The traffic of the newest report of the frontend that the control API answered 200. */
    private static TrafficReport lastAcceptedReport() throws Exception {
        TrafficReport last = null;
        for (RecordingRelay.Exchange e : relay.exchanges()) {
            if (e.method().equals("PUT") && e.path().startsWith("/meshwork/v1/proxies/") && e.status() == 200) {
                ProxyReport report = SnapshotJson.mapper().readValue(e.requestBody(), ProxyReport.class);
                if (report.traffic() != null && !report.traffic().edges().isEmpty()) {
                    last = report.traffic();
                }
            }
        }
        return last;
    }

    private static TrafficReport.Edge edge(TrafficReport report, String direction, String destination, String route) {
        return report.edges().stream().filter(e -> e.direction().equals(direction) && destination.equals(e.destination())
                && route.equals(e.route())).findFirst().orElse(null);
    }

    /** Buckets never decrease, +Inf is the count, and the count is what was sent. */
    private static void assertHistogram(PrometheusText stats, String name, String[] labels, long expected) {
        List<PrometheusText.Sample> buckets = stats.find(name + "_bucket", labels);
        assertEquals(16, buckets.size(), buckets.toString());
        double previous = 0;
        for (PrometheusText.Sample b : buckets) {
            assertTrue(b.value() >= previous, "cumulative buckets: " + buckets);
            previous = b.value();
        }
        assertEquals("+Inf", buckets.get(buckets.size() - 1).label("le"));
        assertEquals(expected, previous);
        assertEquals(expected, stats.value(name + "_count", labels));
        assertTrue(stats.value(name + "_sum", labels) > 0);
    }

    /** Each report bucket holds what the exposition's cumulative buckets say lies between its bounds. */
    private static void assertReportBucketsMatch(PrometheusText stats, String[] labels, TrafficReport.Edge edge) {
        double[] bounds = TrafficReport.LATENCY_BOUNDS_MILLIS;
        long below = 0;
        for (int j = 0; j <= bounds.length; j++) {
            String le = j < bounds.length ? Double.toString(bounds[j] / 1000) : "+Inf";
            long cumulative = (long) stats.find("meshwork_request_duration_seconds_bucket", labels).stream()
                    .filter(s -> Double.parseDouble(s.label("le").replace("+Inf", "Infinity")) == Double.parseDouble(le.replace("+Inf", "Infinity")))
                    .findFirst().orElseThrow(() -> new AssertionError("no bucket le=" + le)).value();
            assertEquals(cumulative - below, edge.latencyBuckets()[j], "report bucket " + j + " (≤ " + le + " s)");
            below = cumulative;
        }
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

    private static long body(HttpResponse<String> response) {
        return response.body().getBytes(StandardCharsets.UTF_8).length;
    }

    private static String[] with(String[] labels, String... more) {
        String[] out = Arrays.copyOf(labels, labels.length + more.length);
        System.arraycopy(more, 0, out, labels.length, more.length);
        return out;
    }
}
