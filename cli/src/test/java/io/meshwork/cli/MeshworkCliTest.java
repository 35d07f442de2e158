package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cli.support.LiveMesh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real CLI, as its own process, against a real control API whose proxies report as real ones do. */
class MeshworkCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private LiveMesh mesh;

    private long started;

    @BeforeEach
    void start() throws Exception {
        mesh = new LiveMesh(Map.of());
        started = System.currentTimeMillis() - 30_000;
        mesh.healthyProxy("frontend-1", "virtualNode/frontend", LiveMesh.frontendTraffic(started, 1, 1));
        mesh.healthyProxy("catalog-v1-1", "virtualNode/catalog-v1", LiveMesh.inboundTraffic(started, 1, 90));
        mesh.healthyProxy("ingress-1", "virtualGateway/ingress", null);
        mesh.certificate("frontend-1", "virtualNode/frontend");
        Thread.sleep(1100); // a second report, a second or more later, gives rates
        mesh.healthyProxy("frontend-1", "virtualNode/frontend", LiveMesh.frontendTraffic(started, 5, 1));
        mesh.healthyProxy("catalog-v1-1", "virtualNode/catalog-v1", LiveMesh.inboundTraffic(started, 5, 90));
    }

    @AfterEach
    void stop() {
        mesh.close();
    }

    /** Heartbeats again, as proxies do every few seconds, so none looks silent however slow the machine. */
    private void heartbeatAgain() throws Exception {
        mesh.healthyProxy("frontend-1", "virtualNode/frontend", LiveMesh.frontendTraffic(started, 6, 1));
        mesh.healthyProxy("catalog-v1-1", "virtualNode/catalog-v1", LiveMesh.inboundTraffic(started, 6, 90));
        mesh.healthyProxy("ingress-1", "virtualGateway/ingress", null);
    }

    @Test
    void checkPassesOnAHealthyMeshAndSaysWhatItChecked() throws Exception {
        heartbeatAgain();
        LiveMesh.Run run = mesh.cli("check");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("healthy: all"), run.toString());
        assertTrue(run.out().contains("3 connected, all up to date"), run.toString());

        heartbeatAgain();
        LiveMesh.Run json = mesh.cli("check", "--output", "json");
        assertEquals(0, json.exitCode(), json.toString());
        JsonNode o = JSON.readTree(json.out());
        assertTrue(o.path("healthy").asBoolean());
        assertTrue(o.path("checks").size() >= 5);
    }

    @Test
    void aProxyRefusingItsConfigurationFailsTheCheckNamingItAndTheReason() throws Exception {
        String current = mesh.currentVersion("catalog-v2-1", "virtualNode/catalog-v2");
        mesh.heartbeat("catalog-v2-1", "virtualNode/catalog-v2", null, current,
                "listener 8080: certificate file /certs/missing.pem cannot be read", null);
        LiveMesh.Run run = mesh.cli("check");
        assertEquals(1, run.exitCode(), run.toString());
        String failure = run.out().lines().filter(l -> l.contains("FAIL") && l.contains("refuses")).findFirst()
                .orElseThrow(() -> new AssertionError(run.toString()));
        assertTrue(failure.contains("proxy catalog-v2-1 (shop/virtualNode/catalog-v2) refuses configuration version"), failure);
        assertTrue(failure.contains("/certs/missing.pem cannot be read"), failure);
        assertTrue(run.out().contains("fix: correct the mesh resource"), run.toString());
        assertTrue(run.out().contains("meshwork diagnose catalog-v2-1"), run.toString());

        LiveMesh.Run proxies = mesh.cli("proxies");
        assertEquals(0, proxies.exitCode(), proxies.toString());
        String line = proxies.out().lines().filter(l -> l.startsWith("catalog-v2-1")).findFirst().orElseThrow();
        assertTrue(line.contains("REFUSING") && line.contains("missing.pem"), proxies.toString());
        assertTrue(proxies.out().lines().anyMatch(l -> l.startsWith("frontend-1") && l.contains("up to date")), proxies.toString());
    }

    @Test
    void aCertificateNearExpiryFailsTheCheckNamingTheProxy() throws Exception {
        // Workload certificates last 24 h here: with a two-day threshold the frontend's is near expiry.
        LiveMesh.Run run = mesh.cli("check", "--certificate-threshold", "48h");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.out().contains("proxy frontend-1 (shop/virtualNode/frontend)'s certificate expires in"), run.toString());
        // And the CA's: the shop mesh's CA lasts a year, the root ten.
        LiveMesh.Run ca = mesh.cli("check", "--expiry-threshold", "400d");
        assertEquals(1, ca.exitCode(), ca.toString());
        assertTrue(ca.out().contains("mesh shop's CA (generation 1, ACTIVE) expires in"), ca.toString());
        assertTrue(ca.out().contains("certificate-authorities/rotate"), ca.toString());
    }

    @Test
    void aControlApiThatIsDownFailsTheCheckSayingSo() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        LiveMesh.Run run = LiveMesh.cli(Map.of("AWS_ACCESS_KEY_ID", LiveMesh.KEY_ID, "AWS_SECRET_ACCESS_KEY", LiveMesh.SECRET),
                "check", "--endpoint-url", "http://127.0.0.1:" + closed);
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.out().contains("cannot reach the control API at http://127.0.0.1:" + closed + "/ (connection refused)"),
                run.toString());
        assertTrue(run.out().contains("fix: start it (bin/control-api)"), run.toString());
    }

    @Test
    void wrongCredentialsFailTheCheckSayingTheyWereRefused() throws Exception {
        LiveMesh.Run run = LiveMesh.cli(Map.of("AWS_ACCESS_KEY_ID", LiveMesh.KEY_ID, "AWS_SECRET_ACCESS_KEY", "wrong",
                "MESHWORK_ENDPOINT", mesh.endpoint().toString()), "check");
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.out().contains("the control API refused the call: The request signature we calculated does not match"),
                run.toString());
    }

    @Test
    void statShowsGoldenSignalsPerNodeAndRoute() throws Exception {
        LiveMesh.Run run = mesh.cli("stat", "--mesh", LiveMesh.MESH);
        assertEquals(0, run.exitCode(), run.toString());
        String v1 = run.out().lines().filter(l -> l.startsWith("virtualNode/catalog-v1") && l.contains("its callers"))
                .findFirst().orElseThrow(() -> new AssertionError(run.toString()));
        assertTrue(v1.contains("99.00%"), v1);
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("virtualNode/catalog-v1") && l.contains("its proxies, in")
                && l.contains("100.00%")), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("catalog/canary")), run.toString());

        LiveMesh.Run json = mesh.cli("stat", "--mesh", LiveMesh.MESH, "--output", "json", "--watch", "--count", "2", "--interval", "200ms");
        assertEquals(0, json.exitCode(), json.toString());
        assertEquals(2, json.out().lines().count(), "one JSON document per refresh: " + json);
        JsonNode first = JSON.readTree(json.out().lines().findFirst().orElseThrow());
        assertEquals(400, first.at("/edges/0/requests").asLong(), first.toString());
    }

    @Test
    void diagnoseShowsTheProxysConfigurationEndpointsAndCertificate() throws Exception {
        LiveMesh.Run run = mesh.cli("diagnose", "frontend-1");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("(up to date)"), run.toString());
        assertTrue(run.out().contains("spiffe://meshwork.local/mesh/shop/virtualNode/frontend"), run.toString());
        assertTrue(run.out().contains("catalog.shop.local"), run.toString());
        assertTrue(run.out().contains("clusters and endpoints:"), run.toString());

        LiveMesh.Run json = mesh.cli("diagnose", "frontend-1", "--output", "json", "--admin-url", "http://127.0.0.1:1");
        JsonNode o = JSON.readTree(json.out());
        assertEquals("frontend", o.at("/snapshot/resourceName").asText(), json.toString());
        assertTrue(o.at("/admin/summary").asText().startsWith("not reachable"), json.toString());

        LiveMesh.Run missing = mesh.cli("diagnose", "nobody");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("No proxy nobody is connected"), missing.toString());
    }

    @Test
    void dashboardPrintsAOneTimeSignInUrlAndNoSecret() throws Exception {
        LiveMesh.Run run = mesh.cli("dashboard", "--url");
        assertEquals(0, run.exitCode(), run.toString());
        String url = run.out().trim();
        assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+/dashboard/sign-in\\?token=[A-Za-z0-9_-]{43}"), url);
        assertFalse(url.contains(LiveMesh.SECRET) || url.contains(LiveMesh.KEY_ID));
    }

    @Test
    void aUsageMistakeExitsTwo() throws Exception {
        assertEquals(2, mesh.cli("frobnicate").exitCode());
        assertEquals(2, mesh.cli("check", "--expiry-threshold", "soon").exitCode());
    }
}
