package io.meshwork.proxy.e2e;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.lambdahooks.ecs.EcsTaskStateHandler;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ECS task hook end to end: two tasks of one node (proxies that learnt their task from a
 * stand-in ECS task metadata endpoint), a caller spreading requests over both; a real "ECS Task
 * State Change" event for one task, handled by lambda-hooks' handler, takes that task out of the
 * caller's endpoints within a second (not when its registration would expire), and its proxy's
 * next heartbeats do not bring it back.
 */
class EcsTaskHookEndToEndTest {
    private static final String TASK_A = "arn:aws:ecs:us-east-1:111122223333:task/shop/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String TASK_B = "arn:aws:ecs:us-east-1:111122223333:task/shop/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    @Test
    void aStoppingTasksEndpointIsGoneFromItsCallersWithinASecond() throws Exception {
        HttpServer metadata = taskMetadata();
        // A registration lasts 15 s (the default): what the hook saves is that wait.
        try (ControlPlane plane = ControlPlane.start();
             AppMeshClient appMesh = plane.client();
             TestBackend a = TestBackend.http("task-a", "127.0.1.142", 8000);
             TestBackend b = TestBackend.http("task-b", "127.0.1.143", 8000)) {
            appMesh.createMesh(r -> r.meshName("hook"));
            appMesh.createVirtualNode(r -> r.meshName("hook").virtualNodeName("catalog").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8000).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.awsCloudMap(c -> c.namespaceName("hook.local").serviceName("catalog")))));
            appMesh.createVirtualService(r -> r.meshName("hook").virtualServiceName("catalog.hook.local")
                    .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("catalog")))));
            appMesh.createVirtualNode(r -> r.meshName("hook").virtualNodeName("caller").spec(s -> s
                    .backends(x -> x.virtualService(v -> v.virtualServiceName("catalog.hook.local")))));
            Path data = Files.createTempDirectory("proxy-data-");
            String agent = "http://127.0.0.1:" + metadata.getAddress().getPort();
            try (ProxyProcess pa = ProxyProcess.start(plane, "mesh/hook/virtualNode/catalog", "127.0.0.142", "127.0.1.142", data,
                         Map.of("ECS_CONTAINER_METADATA_URI_V4", agent + "/v4/a"));
                 ProxyProcess pb = ProxyProcess.start(plane, "mesh/hook/virtualNode/catalog", "127.0.0.143", "127.0.1.143", data,
                         Map.of("ECS_CONTAINER_METADATA_URI_V4", agent + "/v4/b"));
                 ProxyProcess caller = ProxyProcess.start(plane, "mesh/hook/virtualNode/caller", "127.0.0.141", "127.0.1.141", data, Map.of())) {
                pa.awaitReady();
                pb.awaitReady();
                caller.awaitReady();
                MeshHttp http = new MeshHttp("127.0.0.141");
                MeshRoutingEndToEndTest.assertEventually(() -> {
                    Set<String> seen = new HashSet<>();
                    for (int i = 0; i < 10; i++) {
                        seen.add(MeshHttp.backend(http.get("catalog.hook.local", "/")));
                    }
                    assertEquals(Set.of("task-a", "task-b"), seen, "both tasks are instances");
                });

                ScheduledEvent stopping = EventLoader.loadScheduledEvent("events/ecs-task-stopping.json");
                stopping.getDetail().put("taskArn", TASK_A);
                EcsTaskStateHandler hook = hook(plane);
                long start = System.nanoTime();
                String result = hook.handleRequest(stopping, null);
                assertTrue(result.contains("catalog-127.0.0.142"), result);
                long goneAfterMillis = -1;
                while (System.nanoTime() - start < 5_000_000_000L) {
                    if (!new ProxyProcessStats("127.0.0.141").get("/clusters").contains("127.0.0.142")) {
                        goneAfterMillis = (System.nanoTime() - start) / 1_000_000;
                        break;
                    }
                    Thread.sleep(10);
                }
                assertTrue(goneAfterMillis >= 0 && goneAfterMillis < 1000,
                        "the stopping task left the caller's endpoints within a second: " + goneAfterMillis + " ms");
                System.out.println("ECS task hook: endpoint gone from the caller " + goneAfterMillis + " ms after the event");

                // Task A's proxy keeps running (and reporting) while the task drains: no request reaches it again.
                int before = a.requests();
                for (int i = 0; i < 120; i++) {
                    var response = http.get("catalog.hook.local", "/");
                    assertEquals(200, response.statusCode());
                    assertEquals("task-b", MeshHttp.backend(response));
                    Thread.sleep(50); // over six seconds: the proxy's heartbeats (a third of the 15 s) come and go
                }
                assertEquals(before, a.requests());
                assertTrue(pa.isAlive());
            }
        } finally {
            metadata.stop(0);
        }
    }

    /** The ECS agent's task metadata endpoint, one task per path. */
    private static HttpServer taskMetadata() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (var task : Map.of("a", TASK_A, "b", TASK_B).entrySet()) {
            server.createContext("/v4/" + task.getKey() + "/task", exchange -> {
                byte[] body = ("{\"Cluster\": \"shop\", \"TaskARN\": \"" + task.getValue() + "\", \"Family\": \"catalog\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
        }
        server.start();
        return server;
    }

    /** The handler as Lambda would build it, signing with a Meshwork key instead of the function's role. */
    private static EcsTaskStateHandler hook(ControlPlane plane) {
        return new EcsTaskStateHandler(Map.of("MESHWORK_ENDPOINT", plane.endpoint().toString(), "AWS_REGION", "us-east-1"),
                ControlApiCredentialsProvider.builder().controlApi(plane.endpoint()).awsCredentials(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ControlPlane.KEY_ID, ControlPlane.SECRET))).build());
    }
}
