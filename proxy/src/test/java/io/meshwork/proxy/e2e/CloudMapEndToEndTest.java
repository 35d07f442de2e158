package io.meshwork.proxy.e2e;

import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.testing.CloudMapFixtures;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.AwsCloudMapInstanceAttribute;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.HttpInstanceSummary;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node discovered through Cloud Map (moto_server on loopback), called through a client's
 * proxy in local mode: traffic reaches exactly the instances the node's attributes select,
 * follows deregistrations within a poll, survives a Cloud Map outage, and a proxy that asks to
 * be registered becomes an instance there (and stops being one when it shuts down).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CloudMapEndToEndTest {
    private static final String MESH = "cloudmap";
    private static final String SERVICE = "orders.cm.local";

    private static MotoServer moto;
    private static ServiceDiscoveryClient cloudMap;
    private static String serviceId;
    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static Path data;
    private static TestBackend v1a;
    private static TestBackend v1b;
    private static TestBackend v2;
    private static ProxyProcess client;
    private static final MeshHttp http = new MeshHttp("127.0.0.130");

    @BeforeAll
    static void start() throws Exception {
        moto = new MotoServer();
        cloudMap = CloudMapClients.create("us-east-1", moto.endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
        serviceId = CloudMapFixtures.service(cloudMap, "cm.local", "orders", true);
        v1a = TestBackend.http("v1-a", "127.0.2.1", 8080);
        v1b = TestBackend.http("v1-b", "127.0.2.2", 8080);
        v2 = TestBackend.http("v2", "127.0.2.3", 8080);
        register("o-1", "127.0.2.1", "v1");
        register("o-2", "127.0.2.2", "v1");
        register("o-3", "127.0.2.3", "v2");

        // The control API reads AWS credentials from the default chain; moto accepts any.
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        plane = ControlPlane.start(Map.of("control-api.cloudmap.enabled", true,
                "control-api.cloudmap.endpoint", moto.endpoint().toString(), "control-api.cloudmap.poll-interval", "1s"));
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName(MESH));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("orders").spec(s -> s
                .listeners(l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))
                .serviceDiscovery(d -> d.awsCloudMap(m -> m.namespaceName("cm.local").serviceName("orders")
                        .attributes(AwsCloudMapInstanceAttribute.builder().key("version").value("v1").build())))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(SERVICE)
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("orders")))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("client").spec(s -> s
                .backends(b -> b.virtualService(v -> v.virtualServiceName(SERVICE)))));
        data = Files.createTempDirectory("proxy-data-");
        client = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/client", "127.0.0.130", "127.0.1.130", data, Map.of());
        client.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        v1a.close();
        v1b.close();
        v2.close();
        appMesh.close();
        plane.close();
        cloudMap.close();
        moto.close();
    }

    @Test
    @Order(1)
    void trafficReachesTheInstancesTheNodesAttributesSelect() throws Exception {
        eventually(Duration.ofSeconds(10), () -> assertEquals(200, http.get(SERVICE, "/").statusCode()));
        for (int i = 0; i < 60; i++) {
            assertEquals(200, http.get(SERVICE, "/").statusCode());
        }
        assertTrue(v1a.requests() > 10 && v1b.requests() > 10, "both v1 instances serve: " + v1a.requests() + ", " + v1b.requests());
        assertEquals(0, v2.requests(), "the v2 instance does not carry the node's attribute version=v1");
    }

    @Test
    @Order(2)
    void aDeregisteredInstanceStopsGettingTrafficWithinAPoll() throws Exception {
        long started = System.nanoTime();
        cloudMap.deregisterInstance(r -> r.serviceId(serviceId).instanceId("o-2"));
        eventually(Duration.ofSeconds(5), () -> {
            int before = v1b.requests();
            for (int i = 0; i < 20; i++) {
                assertEquals(200, http.get(SERVICE, "/").statusCode());
            }
            assertEquals(before, v1b.requests(), "no traffic to the deregistered instance");
        });
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 3000, "gone from the proxy's endpoints " + tookMillis + " ms after DeregisterInstance (1 s poll)");
        register("o-2", "127.0.2.2", "v1");
    }

    @Test
    @Order(3)
    void aProxyThatAsksIsRegisteredInCloudMapWhileItRuns() throws Exception {
        try (TestBackend app = TestBackend.http("registered", "127.0.1.131", 8080)) {
            ProxyProcess proxy = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/orders", "127.0.0.131", "127.0.1.131", data,
                    Map.of("PROXY_ID", "orders-131", "PROXY_CLOUDMAP_REGISTER", "true", "PROXY_CLOUDMAP_ATTRIBUTES", "team=payments"));
            try {
                proxy.awaitReady();
                eventually(Duration.ofSeconds(10), () -> {
                    HttpInstanceSummary registered = instance("orders-131");
                    assertEquals(Map.of("AWS_INSTANCE_IPV4", "127.0.0.131", "AWS_INSTANCE_PORT", "8080", "version", "v1",
                            "team", "payments"), registered.attributes());
                });
                eventually(Duration.ofSeconds(5), () -> {
                    for (int i = 0; i < 30; i++) {
                        http.get(SERVICE, "/");
                    }
                    assertTrue(app.requests() > 0, "the registered proxy's app gets traffic");
                });
            } finally {
                proxy.close();
            }
            eventually(Duration.ofSeconds(5), () -> assertTrue(cloudMap.discoverInstances(r -> r.namespaceName("cm.local").serviceName("orders"))
                    .instances().stream().noneMatch(i -> i.instanceId().equals("orders-131")), "deregistered when its proxy stops"));
        }
    }

    @Test
    @Order(4)
    void endpointsStayAndTrafficContinuesWhileCloudMapIsDown() throws Exception {
        // An instance whose task died without deregistering: nothing listens at its address, the
        // node has no outlier detection, and once Cloud Map is down nothing can take it off the
        // list. App Mesh's default retries must hide it for as long as the outage lasts.
        // Registered, dropped and registered again: moto's DiscoverInstancesRevision is the sum of its
        // instances' own revisions (Cloud Map's only grows), and a first registration (+1) in the
        // poll where the previous test's proxy left (-1) would leave it unchanged until the 10 s
        // health re-read.
        register("o-gone", "127.0.2.4", "v1");
        cloudMap.deregisterInstance(r -> r.serviceId(serviceId).instanceId("o-gone"));
        register("o-gone", "127.0.2.4", "v1");
        ProxyProcessStats admin = new ProxyProcessStats("127.0.0.130");
        eventually(Duration.ofSeconds(5), () -> {
            String clusters = admin.get("/clusters");
            assertTrue(clusters.contains("127.0.2.4:8080") && !clusters.contains("127.0.0.131:8080"),
                    "before the outage the client has the gone instance, and not the previous test's proxy: " + clusters);
        });
        int a = v1a.requests();
        int b = v1b.requests();
        double connectRetries = connectRetries(admin);
        moto.stop();
        long started = System.nanoTime();
        int requests = 0;
        // Without a back-off, a third of first attempts went to the gone instance, and with a retry
        // budget (20 % of requests plus 10/s) paying for their retries callers got 503s from about
        // request 450 on.
        while (requests < 1_200 || System.nanoTime() - started < Duration.ofSeconds(4).toNanos()) {
            assertEquals(200, http.get(SERVICE, "/").statusCode(), "request " + requests + " with Cloud Map down");
            requests++;
        }
        assertTrue(admin.get("/clusters").contains("127.0.2.4:8080"), "the outage changed nothing the proxy knows");
        assertTrue(v1a.requests() > a && v1b.requests() > b, "both instances found before the outage keep serving");
        double retried = connectRetries(admin) - connectRetries;
        assertTrue(retried >= 3 && retried <= 30, "the gone instance is set aside after three connect failures and only probed"
                + " now and then: " + retried + " connect retries in " + requests + " requests");
        eventually(Duration.ofSeconds(5), () -> {
            http.get(SERVICE, "/");
            assertTrue(admin.get("/clusters").contains("orders::127.0.2.4:8080::health_flags::/failed_connect"),
                    "/clusters shows it: " + admin.get("/clusters"));
        });
        double backoffs = admin.stats().sum("meshwork_upstream_connect_backoffs_total", "cluster", "orders");
        assertTrue(backoffs >= 1 && backoffs <= retried, "each back-off counted once: " + backoffs + " for " + retried + " retries");
    }

    private static double connectRetries(ProxyProcessStats admin) throws Exception {
        return admin.stats().sum("meshwork_upstream_retries_total", "cluster", "orders", "reason", "connect");
    }

    private static HttpInstanceSummary instance(String id) {
        return cloudMap.discoverInstances(r -> r.namespaceName("cm.local").serviceName("orders")).instances().stream()
                .filter(i -> i.instanceId().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no instance " + id));
    }

    private static void register(String id, String ip, String version) {
        cloudMap.registerInstance(r -> r.serviceId(serviceId).instanceId(id)
                .attributes(Map.of("AWS_INSTANCE_IPV4", ip, "AWS_INSTANCE_PORT", "8080", "version", version)));
    }
}
