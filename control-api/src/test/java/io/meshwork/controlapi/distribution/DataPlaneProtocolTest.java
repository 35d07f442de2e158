package io.meshwork.controlapi.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.Postgres;
import io.meshwork.controlapi.support.SignedHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterListener;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The proxy side of the control API over real HTTP: long-poll, push on change, reports, endpoints, auth. */
class DataPlaneProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FRONTEND = "arn:aws:appmesh:us-east-1:000000000000:mesh/dp/virtualNode/frontend";
    private static ControlApiServer server;
    private static SignedHttp http;

    @BeforeAll
    static void start() {
        server = ControlApiServer.start();
        http = new SignedHttp(server.endpoint());
        try (AppMeshClient c = server.client()) {
            createShop(c, "dp");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void createShop(AppMeshClient c, String mesh) {
        c.createMesh(r -> r.meshName(mesh));
        c.createVirtualNode(r -> r.meshName(mesh).virtualNodeName("backend").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(9080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("backend.local")))));
        c.createVirtualRouter(r -> r.meshName(mesh).virtualRouterName("backend").spec(s -> s
                .listeners(VirtualRouterListener.builder().portMapping(p -> p.port(80).protocol(PortProtocol.HTTP)).build())));
        c.createRoute(r -> r.meshName(mesh).virtualRouterName("backend").routeName("all").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/")).action(a -> a.weightedTargets(
                        WeightedTarget.builder().virtualNode("backend").weight(1).build())))));
        c.createVirtualService(r -> r.meshName(mesh).virtualServiceName("backend.local")
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("backend")))));
        c.createVirtualNode(r -> r.meshName(mesh).virtualNodeName("frontend").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("frontend.local")))
                .backends(b -> b.virtualService(v -> v.virtualServiceName("backend.local")))));
    }

    @Test
    void firstPollAnswersAtOnceWithTheSnapshot() throws Exception {
        HttpResponse<String> response = config("p-first", FRONTEND, "", 5);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode snapshot = JSON.readTree(response.body());
        assertEquals(response.headers().firstValue("x-meshwork-config-version").orElseThrow(), snapshot.path("version").asText());
        assertEquals("frontend", snapshot.path("resourceName").asText());
        assertEquals("backend.local", snapshot.path("services").get(0).path("name").asText());
        assertEquals(200, config("p-first", "mesh/dp/virtualNode/frontend", "", 1).statusCode(), "short ARN form works too");
    }

    @Test
    void aParkedPollReturnsTheNewVersionSoonAfterAWrite() throws Exception {
        String version = JSON.readTree(config("p-park", FRONTEND, "", 5).body()).path("version").asText();
        Instant parkedAt = Instant.now();
        CompletableFuture<HttpResponse<String>> parked = CompletableFuture.supplyAsync(() -> config("p-park", FRONTEND, version, 20));
        Thread.sleep(300);
        assertFalse(parked.isDone(), "nothing changed yet");
        try (AppMeshClient c = server.client()) {
            c.updateRoute(r -> r.meshName("dp").virtualRouterName("backend").routeName("all").spec(s -> s
                    .httpRoute(h -> h.match(m -> m.prefix("/v2")).action(a -> a.weightedTargets(
                            WeightedTarget.builder().virtualNode("backend").weight(1).build())))));
        }
        Instant written = Instant.now();
        HttpResponse<String> pushed = parked.get(5, TimeUnit.SECONDS);
        assertEquals(200, pushed.statusCode());
        assertTrue(Duration.between(written, Instant.now()).toMillis() < 1000, "pushed within a second of the write");
        JsonNode snapshot = JSON.readTree(pushed.body());
        assertNotEquals(version, snapshot.path("version").asText());
        assertEquals("/v2", snapshot.at("/services/0/ports/0/routes/0/http/prefix").asText());
        assertTrue(Duration.between(parkedAt, Instant.now()).toSeconds() < 10);
    }

    @Test
    void anUnchangedSnapshotIsNotResent() {
        String version = config("p-same", FRONTEND, "", 5).headers().firstValue("x-meshwork-config-version").orElseThrow();
        try (AppMeshClient c = server.client()) {
            // A write elsewhere in the mesh that does not concern the frontend's backends.
            c.createVirtualNode(r -> r.meshName("dp").virtualNodeName("unrelated").spec(s -> { }));
        }
        HttpResponse<String> response = config("p-same", FRONTEND, version, 2);
        assertEquals(304, response.statusCode());
    }

    @Test
    void registeredProxiesBecomeEndpointsOfTheirNodeAndLeaveWhenTheyDeregister() throws Exception {
        assertEquals(200, report("p-backend-1", "arn:aws:appmesh:us-east-1:000000000000:mesh/dp/virtualNode/backend",
                "{\"address\":\"127.0.0.42\"}").statusCode());
        JsonNode endpoints = awaitEndpoints(1);
        assertEquals("127.0.0.42", endpoints.get(0).path("address").asText());

        String version = config("p-front", FRONTEND, "", 1).headers().firstValue("x-meshwork-config-version").orElseThrow();
        assertEquals(200, report("p-front", FRONTEND, "{\"address\":\"127.0.0.41\",\"runningVersion\":\"" + version + "\"}").statusCode());
        JsonNode proxies = JSON.readTree(http.send("GET", "/meshwork/v1/proxies?mesh=dp", null).body()).path("proxies");
        JsonNode front = null;
        for (JsonNode p : proxies) {
            if (p.path("proxyId").asText().equals("p-front")) {
                front = p;
            }
        }
        assertNotNull(front, proxies.toString());
        assertEquals(version, front.path("runningVersion").asText());

        assertEquals(200, http.send("DELETE", "/meshwork/v1/proxies/p-backend-1", null).statusCode());
        assertEquals(0, awaitEndpoints(0).size());
    }

    @Test
    void refusalsAreRecordedForOperators() throws Exception {
        assertEquals(200, report("p-refuse", FRONTEND, "{\"rejectedVersion\":\"abc\",\"rejectedReason\":\"port 8080 in use\"}")
                .statusCode());
        JsonNode proxies = JSON.readTree(http.send("GET", "/meshwork/v1/proxies?mesh=dp", null).body()).path("proxies");
        boolean found = false;
        for (JsonNode p : proxies) {
            if (p.path("proxyId").asText().equals("p-refuse")) {
                assertEquals("port 8080 in use", p.path("rejectedReason").asText());
                assertFalse(p.path("upToDate").asBoolean());
                found = true;
            }
        }
        assertTrue(found);
    }

    @Test
    void aProxyNeedsStreamAggregatedResourcesOnItsOwnNode() throws Exception {
        String policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"appmesh:StreamAggregatedResources\","
                + "\"Resource\":\"arn:aws:appmesh:us-east-1:000000000000:mesh/dp/virtualNode/backend\"}]}";
        JsonNode key = JSON.readTree(http.send("POST", "/meshwork/v1/access-keys",
                ("{\"name\":\"backend-proxy\",\"policy\":" + policy + "}").getBytes(StandardCharsets.UTF_8)).body());
        String id = key.path("accessKeyId").asText();
        String secret = key.path("secretAccessKey").asText();
        assertEquals(200, http.send("GET", "/meshwork/v1/proxies/x/config?resourceArn="
                        + enc("mesh/dp/virtualNode/backend") + "&waitSeconds=0", null, id, secret, Instant.now()).statusCode());
        HttpResponse<String> other = http.send("GET", "/meshwork/v1/proxies/x/config?resourceArn=" + enc(FRONTEND)
                + "&waitSeconds=0", null, id, secret, Instant.now());
        assertEquals(403, other.statusCode());
        assertEquals(403, http.sendUnsigned("GET", "/meshwork/v1/proxies/x/config?resourceArn=" + enc(FRONTEND), null, Map.of())
                .statusCode());
        assertEquals(404, config("x", "mesh/dp/virtualNode/ghost", "", 0).statusCode());
        assertEquals(400, config("x", "mesh/dp/virtualService/backend.local", "", 0).statusCode());
    }

    @Test
    void aWriteThroughOneReplicaReachesAProxyPollingAnother() throws Exception {
        Map<String, Object> db = new HashMap<>(Postgres.newDatabase());
        db.put("control-api.encryption-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        try (ControlApiServer a = ControlApiServer.start(db); ControlApiServer b = ControlApiServer.start(db);
             AppMeshClient clientA = a.client()) {
            createShop(clientA, "replicated");
            SignedHttp viaB = new SignedHttp(b.endpoint());
            String arn = "mesh/replicated/virtualNode/frontend";
            HttpResponse<String> first = viaB.send("GET", "/meshwork/v1/proxies/pb/config?resourceArn=" + enc(arn), null);
            String version = first.headers().firstValue("x-meshwork-config-version").orElseThrow();
            CompletableFuture<HttpResponse<String>> parked = CompletableFuture.supplyAsync(() -> viaB.send("GET",
                    "/meshwork/v1/proxies/pb/config?resourceArn=" + enc(arn) + "&version=" + version + "&waitSeconds=20", null));
            Thread.sleep(300);
            clientA.updateRoute(r -> r.meshName("replicated").virtualRouterName("backend").routeName("all").spec(s -> s
                    .httpRoute(h -> h.match(m -> m.prefix("/moved")).action(a2 -> a2.weightedTargets(
                            WeightedTarget.builder().virtualNode("backend").weight(1).build())))));
            Instant written = Instant.now();
            HttpResponse<String> pushed = parked.get(5, TimeUnit.SECONDS);
            assertEquals(200, pushed.statusCode());
            assertTrue(Duration.between(written, Instant.now()).toMillis() < 1000);
            assertEquals("/moved", JSON.readTree(pushed.body()).at("/services/0/ports/0/routes/0/http/prefix").asText());
        }
    }

    private static JsonNode awaitEndpoints(int expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(5);
        JsonNode endpoints;
        do {
            JsonNode snapshot = JSON.readTree(config("p-watch", FRONTEND, "", 1).body());
            endpoints = snapshot.at("/clusters/0/endpoints");
            if (endpoints.size() == expected) {
                return endpoints;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        fail("expected " + expected + " endpoints, have " + endpoints);
        return endpoints;
    }

    private static HttpResponse<String> config(String proxyId, String arn, String version, int waitSeconds) {
        return http.send("GET", "/meshwork/v1/proxies/" + proxyId + "/config?resourceArn=" + enc(arn) + "&version=" + version
                + "&waitSeconds=" + waitSeconds, null);
    }

    private static HttpResponse<String> report(String proxyId, String arn, String extraJson) throws Exception {
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(extraJson);
        body.put("resourceArn", arn);
        return http.send("PUT", "/meshwork/v1/proxies/" + proxyId, JSON.writeValueAsBytes(body));
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
