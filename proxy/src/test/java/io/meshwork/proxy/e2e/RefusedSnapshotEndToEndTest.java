package io.meshwork.proxy.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxy.support.PrometheusText;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A proxy given a snapshot it cannot apply (a new listener's port is held by another socket on
 * its address) keeps serving the configuration it has, reports the refusal to the control plane,
 * does not spin on the refused version, and applies it once the port is free.
 */
class RefusedSnapshotEndToEndTest {
    private static final String MESH = "refusal";
    private static final String PROXY = "127.0.0.200";
    private static final String APP = "127.0.1.200";

    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startControlPlane() {
        plane = ControlPlane.start();
        appMesh = plane.client();
    }

    @AfterAll
    static void stopControlPlane() {
        appMesh.close();
        plane.close();
    }

    @Test
    void aProxyThatCannotBindANewListenerKeepsServingReportsTheRefusalOnceAndAppliesItWhenThePortIsFree() throws Exception {
        try (TestBackend app = TestBackend.http("web-app", APP, 8000);
             TestBackend second = TestBackend.http("web-app-8001", APP, 8001)) {
            appMesh.createMesh(r -> r.meshName(MESH));
            appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("web").spec(s -> s
                    .listeners(listener(8000)).serviceDiscovery(d -> d.dns(dns -> dns.hostname(PROXY)))));
            try (ProxyProcess proxy = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/web", PROXY, APP,
                    Files.createTempDirectory("proxy-data-"), Map.of())) {
                proxy.awaitReady();
                plane.awaitProxiesUpToDate(MESH, 1);
                String before = proxyState(MESH).path("runningVersion").asText();
                assertEquals(200, get(PROXY, 8000).statusCode());

                ServerSocket squatter = new ServerSocket();
                squatter.bind(new InetSocketAddress(PROXY, 8001));
                try {
                    appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("web").spec(s -> s
                            .listeners(listener(8000), listener(8001)).serviceDiscovery(d -> d.dns(dns -> dns.hostname(PROXY)))));
                    eventually(Duration.ofSeconds(20), () -> assertTrue(proxyState(MESH).has("rejectedVersion"),
                            "the refusal reaches the control plane: " + proxyState(MESH) + "\n" + proxy.output()));
                    JsonNode refused = proxyState(MESH);
                    assertEquals(refused.path("currentVersion").asText(), refused.path("rejectedVersion").asText());
                    assertTrue(refused.path("rejectedReason").asText().contains("8001"), refused.toString());
                    assertEquals(before, refused.path("runningVersion").asText(), "it reports the version still in force");
                    assertFalse(refused.path("upToDate").asBoolean(), refused.toString());

                    // A window in which a proxy spinning on the refused version would refuse it dozens of times.
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
                        HttpResponse<String> response = get(PROXY, 8000);
                        assertEquals(200, response.statusCode(), "the previous configuration still serves");
                        assertEquals("web-app", response.headers().firstValue("x-backend").orElse(""));
                        Thread.sleep(250);
                    }
                    long refusalLines = refusalLogLines(proxy.output());
                    long rejectedCount = rejectedCounter(proxy);
                    System.out.printf("refusals in ~5 s: %d log lines, meshwork_config_updates_total{result=\"rejected\"} %d%n",
                            refusalLines, rejectedCount);
                    assertEquals(1, refusalLines, "the refusal is logged once per version:\n" + proxy.output());
                    assertTrue(rejectedCount <= 4, "retried with backoff, not in a loop: " + rejectedCount + " refusals");
                    assertEquals(before, proxyState(MESH).path("runningVersion").asText());
                } finally {
                    squatter.close();
                }

                // The port is free: the proxy's own retry puts the refused version in force, without a new change.
                plane.awaitProxiesUpToDate(MESH, 1);
                JsonNode applied = proxyState(MESH);
                assertFalse(applied.has("rejectedVersion"), applied.toString());
                assertEquals("web-app-8001", get(PROXY, 8001).headers().firstValue("x-backend").orElse(""), "the new listener serves");
                assertEquals(200, get(PROXY, 8000).statusCode());

                // And a newer change goes through as usual.
                plane.changeAndAwaitProxies(MESH, () -> appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("web")
                        .spec(s -> s.listeners(listener(8000)).serviceDiscovery(d -> d.dns(dns -> dns.hostname(PROXY))))));
                assertNotEquals(applied.path("runningVersion").asText(), proxyState(MESH).path("runningVersion").asText());
                assertEquals(200, get(PROXY, 8000).statusCode());
            }
        }
    }

    @Test
    void aProxyThatRefusesItsFirstSnapshotClaimsToRunNothingUntilItCanApplyIt() throws Exception {
        String mesh = "refusal-first";
        String proxyAddress = "127.0.0.203";
        String appAddress = "127.0.1.203";
        appMesh.createMesh(r -> r.meshName(mesh));
        appMesh.createVirtualNode(r -> r.meshName(mesh).virtualNodeName("web").spec(s -> s
                .listeners(listener(8000)).serviceDiscovery(d -> d.dns(dns -> dns.hostname(proxyAddress)))));
        ServerSocket squatter = new ServerSocket();
        squatter.bind(new InetSocketAddress(proxyAddress, 8000));
        try (TestBackend app = TestBackend.http("first-app", appAddress, 8000);
             ProxyProcess proxy = ProxyProcess.start(plane, "mesh/" + mesh + "/virtualNode/web", proxyAddress, appAddress,
                     Files.createTempDirectory("proxy-data-"), Map.of())) {
            try {
                eventually(Duration.ofSeconds(20), () -> assertTrue(proxyState(mesh).has("rejectedVersion"),
                        "the refusal reaches the control plane: " + proxyState(mesh) + "\n" + proxy.output()));
                JsonNode refused = proxyState(mesh);
                assertFalse(refused.has("runningVersion"), "it runs nothing, and says so: " + refused);
                assertEquals(refused.path("currentVersion").asText(), refused.path("rejectedVersion").asText());
                assertEquals(503, status(proxy.admin("/ready")), "not ready without a configuration");
            } finally {
                squatter.close();
            }
            plane.awaitProxiesUpToDate(mesh, 1);
            assertEquals("first-app", get(proxyAddress, 8000).headers().firstValue("x-backend").orElse(""));
        }
    }

    private static Listener listener(int port) {
        return Listener.builder().portMapping(p -> p.port(port).protocol(PortProtocol.HTTP)).build();
    }

    private HttpResponse<String> get(String address, int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static JsonNode proxyState(String mesh) {
        JsonNode proxies = plane.signedGet("/meshwork/v1/proxies?mesh=" + mesh).path("proxies");
        assertEquals(1, proxies.size(), proxies.toString());
        return proxies.get(0);
    }

    private static long refusalLogLines(String output) {
        return Arrays.stream(output.split("\n")).filter(l -> l.contains("refused")).count();
    }

    private static long rejectedCounter(ProxyProcess proxy) throws Exception {
        return (long) new ProxyProcessStats(proxy.address()).stats().sum("meshwork_config_updates_total", "result", "rejected");
    }
}
