package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.TraceReceivers;
import io.meshwork.proxy.support.TraceReceivers.Received;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The control API as its own process with OTEL_* set (as bin/control-api runs it): an API call
 * carrying a caller's traceparent becomes a SERVER span in the caller's trace, and a proxy
 * fetching its configuration yields a compile span and a push span, all at an OTLP receiver.
 */
class ControlApiTracingEndToEndTest {
    @Test
    void apiRequestsCompilesAndPushesArriveAsSpans() throws Exception {
        try (TraceReceivers.Otlp otlp = new TraceReceivers.Otlp()) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path data = Files.createTempDirectory("control-api-trace-");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.meshwork.controlapi.ControlApiApplication");
            builder.environment().keySet().removeIf(k -> k.startsWith("CONTROL_API_") || k.startsWith("OTEL_"));
            builder.environment().putAll(Map.of("CONTROL_API_PORT", Integer.toString(port), "CONTROL_API_DATA_DIR", data.toString(),
                    "CONTROL_API_ROOT_ACCESS_KEY_ID", ControlPlane.KEY_ID, "CONTROL_API_ROOT_SECRET_ACCESS_KEY", ControlPlane.SECRET,
                    "OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100"));
            Path log = Files.createTempFile("control-api-", ".log");
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            Process api = builder.start();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            try {
                awaitHealthy(endpoint, api, log);
                String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
                String callerSpan = "00f067aa0ba902b7";
                try (AppMeshClient client = AppMeshClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ControlPlane.KEY_ID, ControlPlane.SECRET)))
                        .httpClient(UrlConnectionHttpClient.create())
                        .overrideConfiguration(o -> o.putHeader("traceparent", "00-" + traceId + "-" + callerSpan + "-01")).build()) {
                    client.createMesh(r -> r.meshName("traced"));
                    client.createVirtualNode(r -> r.meshName("traced").virtualNodeName("n").spec(s -> s.listeners(l -> l
                            .portMapping(p -> p.port(8080).protocol("http"))).serviceDiscovery(d -> d.dns(dns -> dns.hostname("127.0.0.231")))));
                }
                List<Received> calls = otlp.await(s -> s.traceId().equals(traceId), 2, Duration.ofSeconds(15));
                assertEquals(2, calls.size(), calls + Files.readString(log));
                Received create = calls.stream().filter(s -> "/v20190125/meshes".equals(s.attribute("url.path"))).findFirst().orElseThrow();
                assertEquals("SERVER", create.kind());
                assertEquals(callerSpan, create.parentId(), "the caller's span is the parent");
                assertEquals("PUT", create.attribute("http.request.method"));
                assertEquals("200", create.attribute("http.response.status_code"));
                assertEquals("PUT /v20190125/meshes", create.name(), "named after the route");
                assertEquals("meshwork-control-api", create.resource().get("service.name"));

                try (ProxyProcess proxy = ProxyProcess.start(endpoint, "mesh/traced/virtualNode/n", "127.0.0.231", "127.0.1.231",
                        Files.createTempDirectory("proxy-data-"), Map.of())) {
                    proxy.awaitReady();
                    List<Received> compiles = otlp.await(s -> s.name().equals("compile mesh") && "traced".equals(s.attribute("appmesh.mesh")),
                            1, Duration.ofSeconds(15));
                    assertFalse(compiles.isEmpty(), otlp.spans().toString());
                    assertEquals("1", compiles.get(0).attribute("meshwork.snapshots"));
                    List<Received> pushes = otlp.await(s -> s.name().equals("push snapshot"), 1, Duration.ofSeconds(15));
                    assertFalse(pushes.isEmpty(), otlp.spans().toString());
                    Received push = pushes.get(0);
                    assertEquals("n-127.0.0.231", push.attribute("meshwork.proxy_id"));
                    assertNotNull(push.attribute("meshwork.snapshot_version"));
                    // The push span ends inside the request's span, so the request's span can come in a later export batch.
                    List<Received> requests = otlp.await(s -> s.spanId().equals(push.parentId()), 1, Duration.ofSeconds(15));
                    assertFalse(requests.isEmpty(), "the push's parent span never arrived: " + otlp.spans());
                    Received request = requests.get(0);
                    assertEquals("GET /meshwork/v1/proxies/{proxyId}/config", request.name(), "in the trace of the proxy's request");
                }
            } finally {
                api.destroy();
                if (!api.waitFor(10, TimeUnit.SECONDS)) {
                    api.destroyForcibly();
                }
            }
        }
    }

    private static void awaitHealthy(URI endpoint, Process api, Path log) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!api.isAlive()) {
                fail("control API exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/health").toURL().openConnection();
                c.setConnectTimeout(200);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        fail("control API not healthy: " + Files.readString(log));
    }
}
