package io.meshwork.lambdahooks.ecs;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import io.meshwork.lambdahooks.support.LocalControlApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ECS task hook against the real control API: a recorded "ECS Task State Change" event for
 * a task told to stop deregisters the proxies that task registered, a last heartbeat from one
 * of them does not make it an endpoint again, other events change nothing, and a refusal is an
 * exception (so Lambda retries).
 */
class EcsTaskStateHandlerTest {
    private static final String KEY_ID = LocalControlApi.KEY_ID;
    private static final String SECRET = LocalControlApi.SECRET;
    private static final String TASKS = "arn:aws:ecs:us-east-1:111122223333:task/shop/";

    private static LocalControlApi controlApi;
    private static URI endpoint;
    private static SignedControlApiClient admin;

    @BeforeAll
    static void start() throws Exception {
        controlApi = new LocalControlApi();
        endpoint = controlApi.endpoint();
        admin = client(KEY_ID, SECRET);
        call(admin, "PUT", "/v20190125/meshes", "{\"meshName\": \"shop\"}");
        call(admin, "PUT", "/v20190125/meshes/shop/virtualNodes", "{\"virtualNodeName\": \"catalog\", \"spec\": {\"listeners\":"
                + " [{\"portMapping\": {\"port\": 8080, \"protocol\": \"http\"}}], \"serviceDiscovery\": {\"dns\": {\"hostname\": \"catalog.local\"}}}}");
    }

    @AfterAll
    static void stop() {
        if (controlApi != null) {
            controlApi.close();
        }
    }

    /** The task the recorded event is about (each test its own: a stopped task stays stopped), and another. */
    private String task;

    @BeforeEach
    void proxiesOfTwoTasks() throws Exception {
        task = TASKS + java.util.UUID.randomUUID().toString().replace("-", "");
        report("catalog-1", "10.0.1.25", task);
        report("catalog-2", "10.0.1.26", TASKS + java.util.UUID.randomUUID().toString().replace("-", ""));
    }

    @Test
    void aTaskToldToStopLosesItsProxiesAtOnceAndALastHeartbeatDoesNotBringThemBack() throws Exception {
        String result = handler(KEY_ID, SECRET).handleRequest(event("ecs-task-stopping.json"), null);

        assertTrue(result.contains("catalog-1"), result);
        assertEquals(Map.of("catalog-2", "10.0.1.26"), endpoints(), "only the stopping task's proxy is gone");
        report("catalog-1", "10.0.1.25", task);
        assertEquals(Map.of("catalog-1", "-", "catalog-2", "10.0.1.26"), endpoints(),
                "a heartbeat from the stopping task registers the proxy, but not as an endpoint");
    }

    @Test
    void eventsOfRunningTasksAndOtherEventsChangeNothing() throws Exception {
        ScheduledEvent running = event("ecs-task-stopping.json");
        running.getDetail().put("desiredStatus", "RUNNING");
        assertTrue(handler(KEY_ID, SECRET).handleRequest(running, null).startsWith("ignored"));
        ScheduledEvent other = event("ecs-task-stopping.json");
        other.setDetailType("ECS Container Instance State Change");
        assertTrue(handler(KEY_ID, SECRET).handleRequest(other, null).startsWith("ignored"));
        assertEquals(Map.of("catalog-1", "10.0.1.25", "catalog-2", "10.0.1.26"), endpoints());
    }

    @Test
    void aCallerWithoutDeregisterProxyIsRefusedAndLambdaRetries() throws Exception {
        JsonNode key = SnapshotJson.mapper().readTree(call(admin, "POST", "/meshwork/v1/access-keys", "{\"name\": \"reader\", \"policy\":"
                + " {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"appmesh:List*\", \"Resource\": \"*\"}]}}"));
        EcsTaskStateHandler limited = handler(key.path("accessKeyId").asText(), key.path("secretAccessKey").asText());

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> limited.handleRequest(event("ecs-task-stopping.json"), null));
        assertTrue(refused.getMessage().contains("meshwork:DeregisterProxy"), refused.getMessage());
        assertEquals("10.0.1.25", endpoints().get("catalog-1"), "nothing was deregistered");
    }

    @Test
    void withoutMeshworkEndpointTheHandlerSaysWhatToSet() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new EcsTaskStateHandler(Map.of()));
        assertTrue(e.getMessage().contains("MESHWORK_ENDPOINT"), e.getMessage());
    }

    private static EcsTaskStateHandler handler(String keyId, String secret) {
        return new EcsTaskStateHandler(Map.of("MESHWORK_ENDPOINT", endpoint.toString(), "AWS_REGION", "us-east-1"),
                controlApi.credentials(keyId, secret));
    }

    /** The recorded event, about this test's task. */
    private ScheduledEvent event(String name) {
        ScheduledEvent event = EventLoader.loadScheduledEvent("events/" + name);
        event.getDetail().put("taskArn", task);
        return event;
    }

    private static void report(String proxyId, String address, String task) throws Exception {
        call(admin, "PUT", "/meshwork/v1/proxies/" + proxyId, "{\"resourceArn\": \"mesh/shop/virtualNode/catalog\", \"address\": \""
                + address + "\", \"ecsTaskArn\": \"" + task + "\"}");
    }

    /** Each registered proxy of the mesh and the address it is an endpoint at ("-": none). */
    private static Map<String, String> endpoints() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode proxy : SnapshotJson.mapper().readTree(call(admin, "GET", "/meshwork/v1/proxies?mesh=shop", null)).path("proxies")) {
            out.put(proxy.path("proxyId").asText(), proxy.path("address").asText("-"));
        }
        return out;
    }

    private static String call(SignedControlApiClient client, String method, String path, String body) throws Exception {
        HttpResponse<byte[]> response = client.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + ": " + response.statusCode() + " " + text);
        }
        return text;
    }

    private static SignedControlApiClient client(String keyId, String secret) {
        return new SignedControlApiClient(endpoint, "us-east-1", controlApi.credentials(keyId, secret), HttpClient.newHttpClient());
    }
}
