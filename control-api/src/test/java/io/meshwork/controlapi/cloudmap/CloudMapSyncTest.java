package io.meshwork.controlapi.cloudmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.testing.CloudMapFixtures;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.Postgres;
import io.meshwork.controlapi.support.SignedHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.AwsCloudMapInstanceAttribute;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Cloud Map sync in the control API against a real moto_server: nodes get the instances their
 * awsCloudMap discovery selects, in every replica's snapshots; one replica polls at a time.
 */
class CloudMapSyncTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MotoServer moto;
    private static ServiceDiscoveryClient cloudMap;

    @BeforeAll
    static void start() throws Exception {
        moto = new MotoServer();
        // The control API takes AWS credentials from the default chain; moto accepts any.
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        cloudMap = CloudMapClients.create("us-east-1", moto.endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
    }

    @AfterAll
    static void stop() {
        cloudMap.close();
        moto.close();
    }

    @Test
    void replicasShareOnePollerAndEveryReplicaServesTheInstances() throws Exception {
        String serviceId = CloudMapFixtures.service(cloudMap, "shop.local", "orders", false);
        register(serviceId, "o-1", "10.0.0.1", "v1");
        register(serviceId, "o-2", "10.0.0.2", "v1");
        register(serviceId, "o-3", "10.0.0.3", "v2");

        Map<String, Object> settings = new HashMap<>(Postgres.newDatabase());
        settings.put("control-api.encryption-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        settings.put("control-api.cloudmap.enabled", true);
        settings.put("control-api.cloudmap.endpoint", moto.endpoint().toString());
        settings.put("control-api.cloudmap.poll-interval", "1s");
        ControlApiServer a = ControlApiServer.start(settings);
        ControlApiServer b = ControlApiServer.start(settings);
        try (AppMeshClient appMesh = a.client()) {
            createMesh(appMesh);
            SignedHttp viaB = new SignedHttp(b.endpoint());

            assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), awaitEndpoints(viaB, List.of("10.0.0.1:8080", "10.0.0.2:8080")),
                    "only the instances with version=v1, with their AWS_INSTANCE_PORT");

            JsonNode statusA = status(a);
            JsonNode statusB = status(b);
            assertTrue(statusA.path("leader").asBoolean() ^ statusB.path("leader").asBoolean(), "exactly one replica polls: " + statusA + statusB);
            ControlApiServer leader = statusA.path("leader").asBoolean() ? a : b;
            ControlApiServer other = leader == a ? b : a;
            assertEquals(0, status(other).path("cloudMapCalls").asLong(), "the other replica makes no Cloud Map calls");

            long before = status(leader).path("cloudMapCalls").asLong();
            Thread.sleep(5000);
            long steady = status(leader).path("cloudMapCalls").asLong() - before;
            assertTrue(steady >= 3 && steady <= 8, "about one revision call per 1 s poll for one unchanged service: " + steady + " in 5 s");

            long deregistered = System.nanoTime();
            cloudMap.deregisterInstance(r -> r.serviceId(serviceId).instanceId("o-2"));
            awaitEndpoints(viaB, List.of("10.0.0.1:8080"));
            long tookMillis = (System.nanoTime() - deregistered) / 1_000_000;
            assertTrue(tookMillis < 2500, "a deregistered instance is gone within one poll (1 s) plus propagation: " + tookMillis + " ms");

            // The polling replica stops: the other takes over once its lease (5 s) runs out.
            leader.close();
            register(serviceId, "o-4", "10.0.0.4", "v1");
            awaitEndpoints(new SignedHttp(other.endpoint()), List.of("10.0.0.1:8080", "10.0.0.4:8080"), Duration.ofSeconds(15));
            assertTrue(status(other).path("leader").asBoolean());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aRegisteredProxysHealthGoesToCloudMapAndAnOutageIsReportedNotApplied() throws Exception {
        String serviceId = CloudMapFixtures.service(cloudMap, "health.local", "orders", true);
        register(serviceId, "o-1", "10.0.0.1", "v1");
        Map<String, Object> settings = new HashMap<>();
        settings.put("control-api.cloudmap.enabled", true);
        settings.put("control-api.cloudmap.endpoint", moto.endpoint().toString());
        try (ControlApiServer server = ControlApiServer.start(settings); AppMeshClient appMesh = server.client()) {
            createMesh(appMesh, "health.local");
            SignedHttp http = new SignedHttp(server.endpoint());
            String report = "{\"resourceArn\":\"mesh/shop/virtualNode/orders\",\"address\":\"10.0.9.9\","
                    + "\"cloudMapRegistration\":{\"attributes\":{\"team\":\"payments\"}},\"healthy\":%s}";
            assertEquals(200, http.send("PUT", "/meshwork/v1/proxies/orders-9", String.format(report, "true").getBytes()).statusCode());
            // The proxy is an endpoint twice over: as a registered proxy (at its listener port) and as a Cloud Map instance.
            awaitEndpoints(http, List.of("10.0.0.1:8080", "10.0.9.9:listener", "10.0.9.9:9080"));
            assertEquals("HEALTHY", health(serviceId, "orders-9"));

            http.send("PUT", "/meshwork/v1/proxies/orders-9", String.format(report, "false").getBytes());
            eventuallyTrue(() -> "UNHEALTHY".equals(health(serviceId, "orders-9")), "the app's failing health check reaches Cloud Map");
            assertEquals(400, http.send("PUT", "/meshwork/v1/proxies/orders-9", ("{\"resourceArn\":\"mesh/shop/virtualNode/orders\","
                    + "\"address\":\"10.0.9.9\",\"cloudMapRegistration\":{\"attributes\":{\"AWS_INSTANCE_IPV4\":\"1.2.3.4\"}}}")
                    .getBytes()).statusCode(), "AWS_INSTANCE_* come from the proxy's address, not from the caller");

            assertEquals(200, http.send("DELETE", "/meshwork/v1/proxies/orders-9", null).statusCode());
            eventuallyTrue(() -> cloudMap.listInstances(r -> r.serviceId(serviceId)).instances().stream()
                    .noneMatch(i -> i.id().equals("orders-9")), "a proxy that leaves is deregistered from Cloud Map");
            awaitEndpoints(http, List.of("10.0.0.1:8080"));

            moto.stop();
            try {
                eventuallyTrue(() -> status(server).path("failingServices").toString().contains("health.local/orders"),
                        "the status names the service Cloud Map cannot be read for");
                Thread.sleep(2000);
                assertEquals(List.of("10.0.0.1:8080"), awaitEndpoints(http, List.of("10.0.0.1:8080")),
                        "and the instances found before the outage stay");
            } finally {
                moto.start();
            }
        }
    }

    @Test
    void theStandaloneSyncerWorksThroughTheControlApiWithItsOwnKey() throws Exception {
        String serviceId = CloudMapFixtures.service(cloudMap, "remote.local", "orders", false);
        register(serviceId, "o-1", "10.0.0.1", "v1");
        register(serviceId, "o-2", "10.0.0.2", "v2");
        try (ControlApiServer server = ControlApiServer.start(); AppMeshClient appMesh = server.client()) {
            createMesh(appMesh, "remote.local");
            SignedHttp http = new SignedHttp(server.endpoint());
            JsonNode key = JSON.readTree(http.send("POST", "/meshwork/v1/access-keys", ("{\"name\":\"cloudmap-sync\",\"policy\":"
                    + "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"meshwork:SyncCloudMap\",\"Resource\":\"*\"}]}}")
                    .getBytes(StandardCharsets.UTF_8)).body());
            String id = key.path("accessKeyId").asText();
            String secret = key.path("secretAccessKey").asText();
            assertEquals(403, http.send("GET", "/meshwork/v1/cloudmap/work?holder=x", null, id + "X", secret, java.time.Instant.now())
                    .statusCode(), "an unknown key gets nothing");

            io.meshwork.cloudmap.sync.CloudMapSyncLoop first = standalone(server, id, secret, "first");
            io.meshwork.cloudmap.sync.CloudMapSyncLoop second = standalone(server, id, secret, "second");
            first.pollOnce();
            second.pollOnce();
            assertTrue(first.leader());
            assertTrue(!second.leader(), "one standalone syncer holds the lease");
            assertEquals(0, second.calls(), "the other makes no Cloud Map calls");
            awaitEndpoints(http, List.of("10.0.0.1:8080"));

            // One change per poll: moto's revision is a sum over present instances, so a deregistration and a
            // registration together can leave it where it was (Cloud Map's only ever grows).
            register(serviceId, "o-3", "10.0.0.3", "v1");
            first.pollOnce();
            awaitEndpoints(http, List.of("10.0.0.1:8080", "10.0.0.3:8080"));
            cloudMap.deregisterInstance(r -> r.serviceId(serviceId).instanceId("o-1"));
            first.pollOnce();
            awaitEndpoints(http, List.of("10.0.0.3:8080"));

            first.release();
            second.pollOnce();
            assertTrue(second.leader(), "a released lease is taken at once");
        }
    }

    private static io.meshwork.cloudmap.sync.CloudMapSyncLoop standalone(ControlApiServer server, String id, String secret, String name) {
        io.meshwork.cloudmap.sync.SyncPlane plane = new io.meshwork.cloudmap.standalone.RemoteSyncPlane(server.endpoint(), id, secret,
                "us-east-1", name, Duration.ofSeconds(10));
        return new io.meshwork.cloudmap.sync.CloudMapSyncLoop(plane, new io.meshwork.cloudmap.discovery.CloudMapDiscovery(cloudMap),
                new io.meshwork.cloudmap.registration.CloudMapRegistrar(cloudMap));
    }

    private static String health(String serviceId, String instanceId) {
        return cloudMap.getInstancesHealthStatus(r -> r.serviceId(serviceId)).statusAsStrings().get(instanceId);
    }

    private static void eventuallyTrue(java.util.function.BooleanSupplier check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!check.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what);
            }
            Thread.sleep(100);
        }
    }

    private static void createMesh(AppMeshClient c) {
        createMesh(c, "shop.local");
    }

    private static void createMesh(AppMeshClient c, String namespace) {
        c.createMesh(r -> r.meshName("shop"));
        c.createVirtualNode(r -> r.meshName("shop").virtualNodeName("orders").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(9080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.awsCloudMap(m -> m.namespaceName(namespace).serviceName("orders")
                        .attributes(AwsCloudMapInstanceAttribute.builder().key("version").value("v1").build())))));
        c.createVirtualService(r -> r.meshName("shop").virtualServiceName("orders.shop.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("orders")))));
        c.createVirtualNode(r -> r.meshName("shop").virtualNodeName("web").spec(s -> s
                .backends(bk -> bk.virtualService(v -> v.virtualServiceName("orders.shop.local")))));
    }

    private static void register(String serviceId, String id, String ip, String version) {
        cloudMap.registerInstance(r -> r.serviceId(serviceId).instanceId(id)
                .attributes(Map.of("AWS_INSTANCE_IPV4", ip, "AWS_INSTANCE_PORT", "8080", "version", version)));
    }

    private static List<String> awaitEndpoints(SignedHttp http, List<String> expected) throws Exception {
        return awaitEndpoints(http, expected, Duration.ofSeconds(5));
    }

    /** The endpoints of node orders in the snapshot of node web (its client), once they are {@code expected}. */
    private static List<String> awaitEndpoints(SignedHttp http, List<String> expected, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        List<String> seen = null;
        while (System.nanoTime() < deadline) {
            String arn = URLEncoder.encode("mesh/shop/virtualNode/web", StandardCharsets.UTF_8);
            JsonNode snapshot = JSON.readTree(http.send("GET", "/meshwork/v1/proxies/t/config?resourceArn=" + arn + "&waitSeconds=0", null).body());
            seen = new ArrayList<>();
            for (JsonNode cluster : snapshot.path("clusters")) {
                if (cluster.path("name").asText().equals("orders")) {
                    for (JsonNode e : cluster.path("endpoints")) {
                        seen.add(e.path("address").asText() + ":" + e.path("port").asText("listener"));
                    }
                }
            }
            if (seen.equals(expected)) {
                return seen;
            }
            Thread.sleep(50);
        }
        fail("expected endpoints " + expected + ", last saw " + seen);
        return seen;
    }

    private static JsonNode status(ControlApiServer server) {
        try {
            return JSON.readTree(new SignedHttp(server.endpoint()).send("GET", "/meshwork/v1/cloudmap", null).body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
