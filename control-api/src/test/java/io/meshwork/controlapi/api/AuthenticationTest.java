package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.ForbiddenException;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Unsigned, badly signed, stale and out-of-policy requests are all refused with 403 and change
 * nothing; an unsigned one is refused for that before its route, content type or body is judged.
 */
class AuthenticationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] CREATE_MESH = "{\"meshName\":\"sneaky\"}".getBytes(StandardCharsets.UTF_8);
    private static ControlApiServer server;
    private static SignedHttp http;

    @BeforeAll
    static void start() {
        server = ControlApiServer.start();
        http = new SignedHttp(server.endpoint());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void unsignedRequestIsForbidden() {
        assertForbidden(http.sendUnsigned("PUT", "/v20190125/meshes", CREATE_MESH, Map.of("Content-Type", "application/json")));
        assertNoSneakyMesh();
    }

    @Test
    void unsignedRequestIsForbiddenBeforeItsContentTypeIsJudged() {
        HttpResponse<String> response = http.sendUnsigned("PUT", "/v20190125/meshes", CREATE_MESH,
                Map.of("Content-Type", "text/plain"));
        assertForbidden(response);
        assertTrue(response.body().contains("Authorization"), "refused for the missing signature: " + response.body());
        assertTrue(response.headers().firstValue("x-amzn-RequestId").isPresent(), "a refusal has a request id too");
        assertNoSneakyMesh();
    }

    @Test
    void unsignedRequestIsForbiddenBeforeItsBodyIsJudged() {
        for (String path : List.of("/v20190125/meshes", "/meshwork/v1/access-keys", "/meshwork/v1/certificate-authorities/rotate")) {
            String method = path.endsWith("meshes") ? "PUT" : "POST";
            HttpResponse<String> response = http.sendUnsigned(method, path, "{\"meshName\": [not json".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json"));
            assertForbidden(response);
            assertTrue(response.body().contains("Authorization"), path + " refused for the missing signature: " + response.body());
        }
    }

    @Test
    void signedRequestWithAnotherContentTypeIsStillUnsupportedMediaType() {
        HttpResponse<String> response = http.send("PUT", "/v20190125/meshes", CREATE_MESH, "text/plain");
        assertEquals(415, response.statusCode(), response.body());
        assertEquals("BadRequestException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertNoSneakyMesh();
    }

    /**
     * Walks every route the server has, the App Mesh API and Meshwork's own alike, with an unsigned
     * request and a body no handler would accept. A route added later is covered without a thought.
     */
    @Test
    void everyRouteRefusesAnUnsignedRequestExceptTheHealthCheckAndAwsLogins() {
        Set<String> publicRoutes = Set.of("GET /health", "HEAD /health", "GET /meshwork/v1/aws-login", "HEAD /meshwork/v1/aws-login");
        // An AWS login proves who calls with the signed GetCallerIdentity in its body (AwsLoginTest).
        String login = "POST /meshwork/v1/aws-login";
        List<String> routes = new ArrayList<>();
        List<String> notRefused = new ArrayList<>();
        server.context().getBean(Router.class).uriRoutes().forEach(route -> {
            String name = route.getHttpMethodName() + " " + route.getUriMatchTemplate();
            routes.add(name);
            HttpResponse<String> response = http.sendUnsigned(route.getHttpMethodName(), concretePath(route),
                    "not json, not signed".getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "text/plain"));
            if (publicRoutes.contains(name)) {
                assertEquals(200, response.statusCode(), name + " is public: " + response.body());
            } else if (name.equals(login)) {
                assertTrue(response.statusCode() >= 400 && response.statusCode() < 500 && !response.body().contains("sessionToken"),
                        "a login without a signed GetCallerIdentity gets nothing: " + response.statusCode() + " " + response.body());
            } else if (route.getUriMatchTemplate().toString().startsWith("/dashboard")) {
                // The dashboard authenticates with its session cookie: without one it only says how to sign in.
                int status = response.statusCode();
                boolean helpPage = status == 200 && name.endsWith("/dashboard/signed-out");
                boolean toHelp = status == 303 && "/dashboard/signed-out".equals(response.headers().firstValue("Location").orElse(null));
                if (!(helpPage || toHelp || status == 401 || status == 404) || response.body().contains("meshName")) {
                    notRefused.add(name + " -> " + status + " " + response.body());
                }
            } else if (response.statusCode() != 403
                    || !"ForbiddenException".equals(response.headers().firstValue("x-amzn-ErrorType").orElse(null))) {
                notRefused.add(name + " -> " + response.statusCode() + " " + response.body());
            }
        });
        assertEquals(List.of(), notRefused, "routes that judged an unsigned request on anything but its signature");
        assertTrue(routes.stream().filter(r -> r.contains("/v20190125")).count() >= 38, "every App Mesh operation: " + routes);
        assertTrue(routes.stream().anyMatch(r -> r.contains("/meshwork/v1/proxies")), "Meshwork's own API: " + routes);
        assertTrue(routes.containsAll(publicRoutes) && routes.contains(login), "the public routes exist: " + routes);
    }

    @Test
    void wrongSecretIsForbidden() {
        assertForbidden(http.send("PUT", "/v20190125/meshes", CREATE_MESH, ControlApiServer.ROOT_KEY_ID,
                "not-the-secret", Instant.now()));
        assertNoSneakyMesh();
    }

    @Test
    void unknownAccessKeyIsForbidden() {
        assertForbidden(http.send("PUT", "/v20190125/meshes", CREATE_MESH, "MWKNOSUCHKEY00000000",
                ControlApiServer.ROOT_SECRET, Instant.now()));
        assertNoSneakyMesh();
    }

    @Test
    void signatureOlderOrNewerThanFifteenMinutesIsForbidden() {
        HttpResponse<String> stale = http.send("PUT", "/v20190125/meshes", CREATE_MESH, ControlApiServer.ROOT_KEY_ID,
                ControlApiServer.ROOT_SECRET, Instant.now().minus(Duration.ofMinutes(16)));
        assertForbidden(stale);
        assertTrue(stale.body().contains("Signature expired"), stale.body());
        assertForbidden(http.send("PUT", "/v20190125/meshes", CREATE_MESH, ControlApiServer.ROOT_KEY_ID,
                ControlApiServer.ROOT_SECRET, Instant.now().plus(Duration.ofMinutes(16))));
        assertNoSneakyMesh();
        // Within the window is fine.
        assertEquals(200, http.send("GET", "/v20190125/meshes", null, ControlApiServer.ROOT_KEY_ID,
                ControlApiServer.ROOT_SECRET, Instant.now().minus(Duration.ofMinutes(10))).statusCode());
    }

    @Test
    void bodyAlteredAfterSigningIsForbidden() {
        // Sign one body, send another: the payload hash no longer matches.
        HttpResponse<String> signedForOther = http.sendUnsigned("PUT", "/v20190125/meshes", CREATE_MESH,
                authHeadersFor("PUT", "/v20190125/meshes", "{\"meshName\":\"innocent\"}"));
        assertForbidden(signedForOther);
        assertNoSneakyMesh();
    }

    @Test
    void keyLimitedToOneMeshCanManageOnlyThatMesh() throws Exception {
        try (AppMeshClient root = server.client()) {
            root.createMesh(r -> r.meshName("payments"));
            root.createMesh(r -> r.meshName("orders"));
        }
        String policy = """
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "appmesh:*", "Resource": [
                     "arn:aws:appmesh:us-east-1:000000000000:mesh/payments",
                     "arn:aws:appmesh:us-east-1:000000000000:mesh/payments/*"]},
                  {"Effect": "Deny", "Action": "appmesh:DeleteMesh", "Resource": "*"}]}""";
        HttpResponse<String> created = http.send("POST", "/meshwork/v1/access-keys",
                ("{\"name\":\"payments-pipeline\",\"policy\":" + policy + "}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, created.statusCode(), created.body());
        JsonNode key = JSON.readTree(created.body());
        String id = key.path("accessKeyId").asText();
        String secret = key.path("secretAccessKey").asText();

        try (AppMeshClient pipeline = server.client(id, secret)) {
            pipeline.createVirtualNode(r -> r.meshName("payments").virtualNodeName("ledger").spec(s -> { }));
            assertEquals(1, pipeline.listVirtualNodes(r -> r.meshName("payments")).virtualNodes().size());
            ForbiddenException other = assertThrows(ForbiddenException.class,
                    () -> pipeline.createVirtualNode(r -> r.meshName("orders").virtualNodeName("ledger").spec(s -> { })));
            assertEquals(403, other.statusCode());
            assertTrue(other.awsErrorDetails().errorMessage().contains("appmesh:CreateVirtualNode"));
            assertThrows(ForbiddenException.class, () -> pipeline.deleteMesh(r -> r.meshName("payments")));
            assertThrows(ForbiddenException.class, () -> pipeline.listMeshes(r -> { }));
            assertThrows(ForbiddenException.class, () -> pipeline.createMesh(r -> r.meshName("payments2")));
        }
        try (AppMeshClient root = server.client()) {
            assertEquals(0, root.listVirtualNodes(r -> r.meshName("orders")).virtualNodes().size());
            assertEquals(1L, root.describeMesh(r -> r.meshName("payments")).mesh().metadata().version());
        }

        // The key cannot manage keys, and once revoked it stops working.
        assertForbidden(http.send("GET", "/meshwork/v1/access-keys", null, id, secret, Instant.now()));
        assertEquals(200, http.send("DELETE", "/meshwork/v1/access-keys/" + id, null).statusCode());
        try (AppMeshClient revoked = server.client(id, secret)) {
            assertThrows(ForbiddenException.class, () -> revoked.listVirtualNodes(r -> r.meshName("payments")));
        }
    }

    @Test
    void listingKeysNeverShowsSecrets() throws Exception {
        HttpResponse<String> list = http.send("GET", "/meshwork/v1/access-keys", null);
        assertEquals(200, list.statusCode());
        JsonNode keys = JSON.readTree(list.body()).path("accessKeys");
        assertTrue(keys.size() >= 1);
        assertFalse(list.body().contains(ControlApiServer.ROOT_SECRET));
        keys.forEach(k -> assertFalse(k.has("secretAccessKey")));
    }

    @Test
    void policiesWithConditionsAreRefused() {
        HttpResponse<String> response = http.send("POST", "/meshwork/v1/access-keys", ("{\"name\":\"c\",\"policy\":"
                + "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{}}]}}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(400, response.statusCode());
        assertEquals("BadRequestException", response.headers().firstValue("x-amzn-ErrorType").orElseThrow());
    }

    /** The route's path with every variable filled in ({meshName} becomes "x"). */
    private static String concretePath(UriRouteInfo<?, ?> route) {
        Map<String, Object> values = new HashMap<>();
        route.getUriMatchTemplate().getVariableNames().forEach(v -> values.put(v, "x"));
        return route.getUriMatchTemplate().expand(values);
    }

    private static Map<String, String> authHeadersFor(String method, String path, String body) {
        Map<String, String> headers = new HashMap<>(http.signatureHeaders(method, path,
                body.getBytes(StandardCharsets.UTF_8), ControlApiServer.ROOT_KEY_ID, ControlApiServer.ROOT_SECRET, Instant.now()));
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private static void assertForbidden(HttpResponse<String> response) {
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("ForbiddenException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
    }

    private static void assertNoSneakyMesh() {
        try (AppMeshClient root = server.client()) {
            assertTrue(root.listMeshes(r -> { }).meshes().stream().noneMatch(m -> m.meshName().equals("sneaky")));
        }
    }
}
