package io.meshwork.controlapi.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import io.meshwork.proxyapi.TrafficReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualGatewayListener;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterListener;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mesh-wide view over real HTTP: heartbeats with traffic reports become live rates, success
 * rates and percentiles; the read endpoints are signed and need their meshwork: actions; the
 * dashboard signs in with a one-time token and acts as the key that asked for it.
 */
class MeshOverviewAndDashboardAuthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESH = "obs";
    private static ControlApiServer server;
    private static SignedHttp http;
    private static final HttpClient browser = HttpClient.newHttpClient(); // follows no redirects

    @BeforeAll
    static void start() {
        server = ControlApiServer.start(Map.of("control-api.dashboard.sign-in-lifetime", "3s"));
        http = new SignedHttp(server.endpoint());
        try (AppMeshClient c = server.client()) {
            createShop(c, MESH);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A gateway in front of a frontend that calls a catalog behind a router with a 90/10 canary. */
    public static void createShop(AppMeshClient c, String mesh) {
        c.createMesh(r -> r.meshName(mesh));
        for (String node : List.of("catalog-v1", "catalog-v2")) {
            c.createVirtualNode(r -> r.meshName(mesh).virtualNodeName(node).spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname(node + ".local")))));
        }
        c.createVirtualRouter(r -> r.meshName(mesh).virtualRouterName("catalog").spec(s -> s
                .listeners(VirtualRouterListener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())));
        c.createRoute(r -> r.meshName(mesh).virtualRouterName("catalog").routeName("canary").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/")).action(a -> a.weightedTargets(
                        WeightedTarget.builder().virtualNode("catalog-v1").weight(90).build(),
                        WeightedTarget.builder().virtualNode("catalog-v2").weight(10).build())))));
        c.createVirtualService(r -> r.meshName(mesh).virtualServiceName("catalog.local")
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("catalog")))));
        c.createVirtualNode(r -> r.meshName(mesh).virtualNodeName("frontend").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("frontend.local")))
                .backends(b -> b.virtualService(v -> v.virtualServiceName("catalog.local")))));
        c.createVirtualService(r -> r.meshName(mesh).virtualServiceName("frontend.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("frontend")))));
        c.createVirtualGateway(r -> r.meshName(mesh).virtualGatewayName("ingress").spec(s -> s
                .listeners(VirtualGatewayListener.builder().portMapping(p -> p.port(8443).protocol("http")).build())));
        c.createGatewayRoute(r -> r.meshName(mesh).virtualGatewayName("ingress").gatewayRouteName("to-frontend").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/")).action(a -> a.target(t -> t.virtualService(
                        v -> v.virtualServiceName("frontend.local")))))));
    }

    /**
     * What a frontend proxy reports after {@code n} rounds: 100 requests a round to catalog-v1 (one
     * a 503, latencies of 2.5 to 5 ms, one in 100 of 250 to 500 ms) and 10 to catalog-v2.
     */
    public static TrafficReport frontendTraffic(long startedAt, long n) {
        long[] v1Buckets = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
        v1Buckets[2] = 99 * n;
        v1Buckets[8] = n;
        long[] v2Buckets = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
        v2Buckets[3] = 10 * n;
        return new TrafficReport(startedAt, List.of(
                // requests for no virtual service the proxy knows: answered 404 by the proxy itself
                new TrafficReport.Edge("outbound", null, null, null, "http", n, new long[] {0, 0, 0, n, 0}, null, 0, 0, 0, 0, 0, 0),
                new TrafficReport.Edge("outbound", "catalog.local", "catalog/canary", "catalog-v1", "http", 100 * n,
                        new long[] {0, 99 * n, 0, 0, n}, v1Buckets, 400_000 * n, 2, 20_000 * n, 80_000 * n, 0, 0),
                new TrafficReport.Edge("outbound", "catalog.local", "catalog/canary", "catalog-v2", "http", 10 * n,
                        new long[] {0, 10 * n, 0, 0, 0}, v2Buckets, 60_000 * n, 1, 2_000 * n, 8_000 * n, 0, 0)));
    }

    public static String report(String resourceArn, String runningVersion, TrafficReport traffic) throws Exception {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("resourceArn", resourceArn);
        if (runningVersion != null) {
            body.put("runningVersion", runningVersion);
        }
        if (traffic != null) {
            body.put("traffic", traffic);
        }
        return JSON.writeValueAsString(body);
    }

    private static HttpResponse<String> heartbeat(String proxyId, String node, TrafficReport traffic) throws Exception {
        return http.send("PUT", "/meshwork/v1/proxies/" + proxyId,
                report("mesh/" + MESH + "/virtualNode/" + node, null, traffic).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void heartbeatsWithTrafficBecomeRatesSuccessRatesAndPercentilesOnTheEdges() throws Exception {
        long started = System.currentTimeMillis() - 60_000;
        assertEquals(200, heartbeat("front-1", "frontend", frontendTraffic(started, 1)).statusCode());
        Thread.sleep(1500); // reports closer than a second count as one
        assertEquals(200, heartbeat("front-1", "frontend", frontendTraffic(started, 4)).statusCode());

        HttpResponse<String> response = http.send("GET", "/meshwork/v1/meshes/" + MESH + "/overview", null);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode o = JSON.readTree(response.body());
        assertEquals(3, o.path("virtualNodes").size(), o.toString());
        JsonNode router = o.path("virtualRouters").get(0);
        assertEquals("canary", router.at("/routes/0/name").asText());
        assertEquals(90, router.at("/routes/0/weightedTargets/0/weight").asInt());
        assertEquals("frontend.local", o.at("/gatewayRoutes/0/virtualService").asText());

        List<JsonNode> edges = new java.util.ArrayList<>();
        o.at("/traffic/edges").forEach(e -> {
            if (e.at("/from/name").asText().equals("frontend") && e.hasNonNull("virtualService")) {
                edges.add(e);
            }
        });
        assertEquals(2, edges.size(), edges.toString());
        JsonNode v1 = edges.get(0);
        assertEquals("frontend", v1.at("/from/name").asText());
        assertEquals("catalog-v1", v1.at("/to/name").asText());
        assertEquals(300, v1.path("requests").asLong(), "three rounds between the two reports");
        double window = o.at("/traffic/windowSeconds").asDouble();
        assertTrue(window >= 1.4 && window < 10, "the window is the time between the reports: " + window);
        assertEquals(300 / window, v1.path("requestsPerSecond").asDouble(), 1.0);
        assertEquals(0.99, v1.path("successRate").asDouble(), 1e-9);
        double p99 = v1.path("p99Millis").asDouble();
        assertTrue(p99 > 2.5 && p99 <= 500, "p99 from the merged buckets: " + p99);
        assertTrue(v1.path("p50Millis").asDouble() > 2.5 && v1.path("p50Millis").asDouble() <= 5);
        assertEquals(1.0, edges.get(1).path("successRate").asDouble());

        JsonNode route = o.at("/traffic/routes/0");
        assertEquals("catalog", route.path("virtualRouter").asText());
        assertTrue(route.path("requests").asLong() >= 330, "both targets of the route: " + route);
        assertTrue(o.at("/traffic/edges").toString().contains("\"responses5xx\":0"), "the 404s for unknown services are kept apart");
        JsonNode nodes = o.at("/traffic/nodes");
        assertTrue(nodes.toString().contains("\"fromCallers\""), "catalog nodes as their callers see them: " + nodes);

        JsonNode proxy = null;
        for (JsonNode p : o.path("proxies")) {
            if (p.path("proxyId").asText().equals("front-1")) {
                proxy = p;
            }
        }
        assertNotNull(proxy);
        assertFalse(proxy.path("upToDate").asBoolean(), "it reported no running version");
    }

    @Test
    void aRestartedProxysCountersAreTakenFromTheStartNotAsANegativeDifference() throws Exception {
        long started = System.currentTimeMillis() - 10_000;
        heartbeat("restart-1", "catalog-v2", frontendTraffic(started, 50));
        Thread.sleep(1100);
        heartbeat("restart-1", "catalog-v2", frontendTraffic(System.currentTimeMillis() - 2_000, 1));
        JsonNode o = JSON.readTree(http.send("GET", "/meshwork/v1/meshes/" + MESH + "/overview", null).body());
        for (JsonNode e : o.at("/traffic/edges")) {
            if (e.at("/from/name").asText().equals("catalog-v2")) {
                assertTrue(e.path("requests").asLong() >= 0 && e.path("requests").asLong() <= 100, e.toString());
            }
        }
    }

    @Test
    void aBadTrafficReportIsDroppedButTheHeartbeatIsTaken() throws Exception {
        String body = "{\"resourceArn\":\"mesh/" + MESH + "/virtualNode/frontend\",\"traffic\":{\"startedAtMillis\":1,"
                + "\"edges\":[{\"direction\":\"sideways\",\"destination\":\"x\"}]}}";
        assertEquals(200, http.send("PUT", "/meshwork/v1/proxies/bad-traffic", body.getBytes(StandardCharsets.UTF_8)).statusCode());
        JsonNode proxies = JSON.readTree(http.send("GET", "/meshwork/v1/proxies?mesh=" + MESH, null).body()).path("proxies");
        assertTrue(proxies.toString().contains("bad-traffic"));
    }

    @Test
    void statusReportsStoreCertificateAuthoritiesCloudMapAndProxies() throws Exception {
        heartbeat("status-1", "catalog-v1", null);
        HttpResponse<String> response = http.send("GET", "/meshwork/v1/status", null);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode s = JSON.readTree(response.body());
        assertTrue(s.at("/store/healthy").asBoolean());
        assertEquals("h2", s.at("/store/engine").asText());
        assertTrue(s.at("/proxies/total").asInt() >= 1);
        assertTrue(s.path("meshes").toString().contains("\"" + MESH + "\""));
        assertFalse(s.at("/cloudMap/enabledHere").asBoolean());
        assertNotNull(s.get("certificateAuthorities"));
    }

    @Test
    void theReadEndpointsRefuseUnsignedCallersAndKeysWithoutTheirAction() throws Exception {
        for (String path : List.of("/meshwork/v1/status", "/meshwork/v1/meshes/" + MESH + "/overview", "/meshwork/v1/proxies/x")) {
            assertEquals(403, http.sendUnsigned("GET", path, null, Map.of()).statusCode(), path);
        }
        assertEquals(403, http.sendUnsigned("POST", "/meshwork/v1/dashboard-sessions", null, Map.of()).statusCode());
        String[] key = createKey("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"appmesh:*\",\"Resource\":\"*\"}]}");
        for (String path : List.of("/meshwork/v1/status", "/meshwork/v1/meshes/" + MESH + "/overview")) {
            HttpResponse<String> r = http.send("GET", path, null, key[0], key[1], java.time.Instant.now());
            assertEquals(403, r.statusCode(), path);
            assertTrue(r.body().contains("meshwork:"), r.body());
        }
        assertEquals(403, http.send("POST", "/meshwork/v1/dashboard-sessions", null, key[0], key[1], java.time.Instant.now())
                .statusCode());
    }

    @Test
    void aSignInTokenWorksOnceAndBecomesAStrictHttpOnlySessionCookie() throws Exception {
        String token = signInToken(ControlApiServer.ROOT_KEY_ID, ControlApiServer.ROOT_SECRET);
        HttpResponse<String> signIn = get("/dashboard/sign-in?token=" + token, null);
        assertEquals(303, signIn.statusCode());
        assertEquals("/dashboard/", signIn.headers().firstValue("Location").orElseThrow());
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        String attributes = setCookie.toLowerCase(java.util.Locale.ROOT);
        assertTrue(attributes.contains("; httponly") && attributes.contains("; samesite=strict") && attributes.contains("; path=/dashboard"),
                setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertFalse(cookie.contains(token), "the session is not the sign-in token");

        assertEquals(401, get("/dashboard/sign-in?token=" + token, null).statusCode(), "a sign-in token works once");

        HttpResponse<String> page = get("/dashboard/", cookie);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'none'"));
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        assertFalse(page.body().contains(ControlApiServer.ROOT_SECRET));
        HttpResponse<String> status = get("/dashboard/api/status", cookie);
        assertEquals(200, status.statusCode(), status.body());
        assertEquals(200, get("/dashboard/api/meshes/" + MESH + "/overview", cookie).statusCode());

        // Signing out (the page's form post) ends the session; a post from another origin does not.
        HttpResponse<String> foreign = post("/dashboard/sign-out", cookie, "http://evil.example");
        assertEquals(403, foreign.statusCode());
        assertEquals(200, get("/dashboard/api/status", cookie).statusCode());
        HttpResponse<String> out = post("/dashboard/sign-out", cookie, server.endpoint().toString());
        assertEquals(303, out.statusCode());
        assertEquals(401, get("/dashboard/api/status", cookie).statusCode());
    }

    private static HttpResponse<String> post(String path, String cookie, String origin) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(server.endpoint() + path)).header("Cookie", cookie)
                .header("Origin", origin).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutASessionPagesRedirectToSignInHelpAndDataCallsAnswer401() throws Exception {
        for (String path : List.of("/dashboard", "/dashboard/")) {
            HttpResponse<String> page = get(path, null);
            assertEquals(303, page.statusCode(), path + ": " + page.body());
            assertEquals("/dashboard/signed-out", page.headers().firstValue("Location").orElseThrow());
        }
        HttpResponse<String> help = get("/dashboard/signed-out", null);
        assertEquals(200, help.statusCode());
        assertTrue(help.body().contains("bin/meshwork dashboard"));
        assertEquals(401, get("/dashboard/api/status", null).statusCode());
        assertEquals(401, get("/dashboard/api/status", "meshwork_dashboard=" + "A".repeat(43)).statusCode());
        assertEquals(401, get("/dashboard/assets/app.js", null).statusCode());
        assertEquals(401, get("/dashboard/sign-in?token=" + "B".repeat(43), null).statusCode());
    }

    @Test
    void anExpiredSignInTokenIsRefused() throws Exception {
        String token = signInToken(ControlApiServer.ROOT_KEY_ID, ControlApiServer.ROOT_SECRET);
        Thread.sleep(3500); // this server's sign-in tokens last 3 s
        assertEquals(401, get("/dashboard/sign-in?token=" + token, null).statusCode());
    }

    @Test
    void aSessionActsAsItsKeyWithThatKeysPolicyAndEndsWhenTheKeyIsRevoked() throws Exception {
        String[] key = createKey("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"meshwork:CreateDashboardSession\","
                + "\"meshwork:GetStatus\"],\"Resource\":\"*\"}]}");
        String cookie = signInCookie(key[0], key[1]);
        assertEquals(200, get("/dashboard/api/status", cookie).statusCode());
        HttpResponse<String> overview = get("/dashboard/api/meshes/" + MESH + "/overview", cookie);
        assertEquals(403, overview.statusCode(), "its key may not read mesh overviews");
        assertTrue(overview.body().contains("meshwork:GetMeshOverview"), overview.body());

        assertEquals(200, http.send("DELETE", "/meshwork/v1/access-keys/" + key[0], null).statusCode());
        Thread.sleep(2500); // revoked keys are cached up to 2 s
        assertEquals(401, get("/dashboard/api/status", cookie).statusCode(), "the session ended with its key");
    }

    private static String[] createKey(String policy) throws Exception {
        String body = "{\"name\":\"k" + System.nanoTime() + "\",\"policy\":" + policy + "}";
        HttpResponse<String> r = http.send("POST", "/meshwork/v1/access-keys", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode k = JSON.readTree(r.body());
        return new String[] {k.path("accessKeyId").asText(), k.path("secretAccessKey").asText()};
    }

    private static String signInToken(String keyId, String secret) throws Exception {
        HttpResponse<String> r = http.send("POST", "/meshwork/v1/dashboard-sessions", null, keyId, secret, java.time.Instant.now());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode t = JSON.readTree(r.body());
        assertTrue(t.path("signInPath").asText().startsWith("/dashboard/sign-in?token="));
        return t.path("token").asText();
    }

    private static String signInCookie(String keyId, String secret) throws Exception {
        HttpResponse<String> signIn = get("/dashboard/sign-in?token=" + signInToken(keyId, secret), null);
        assertEquals(303, signIn.statusCode());
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoint() + path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
