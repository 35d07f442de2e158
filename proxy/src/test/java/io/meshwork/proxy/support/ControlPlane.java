package io.meshwork.proxy.support;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real control API for end-to-end tests: in this JVM (or restarted on the same port and
 * data dir, to test proxies riding out its absence), with a known root key and an AWS SDK client.
 */
public final class ControlPlane implements AutoCloseable {
    public static final String KEY_ID = "MWKPROXYTESTROOT0001";
    public static final String SECRET = "proxy-test-secret-0123456789abcdefghijkl";

    private final Path dataDir;
    private final int port;
    private final Map<String, Object> extra;
    private EmbeddedServer server;

    private ControlPlane(Path dataDir, int port, Map<String, Object> extra) {
        this.dataDir = dataDir;
        this.port = port;
        this.extra = extra;
    }

    public static ControlPlane start() {
        return start(Map.of());
    }

    /** Starts with extra control-api settings, e.g. a short {@code control-api.proxy-registration-ttl}. */
    public static ControlPlane start(Map<String, Object> extra) {
        try {
            ControlPlane plane = new ControlPlane(Files.createTempDirectory("meshwork-e2e-"), freePort(), extra);
            plane.startServer();
            return plane;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void startServer() {
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", port);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("control-api.data-dir", dataDir.toString());
        props.put("control-api.root-access-key-id", KEY_ID);
        props.put("control-api.root-secret-access-key", SECRET);
        props.putAll(extra);
        server = ApplicationContext.run(EmbeddedServer.class, props);
    }

    /** Stops the control API (its port stops answering); {@link #startServer()} brings it back with its data. */
    public void stopServer() {
        if (server != null) {
            server.getApplicationContext().close();
            server = null;
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public AppMeshClient client() {
        return AppMeshClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(DefaultRetryStrategy.doNotRetry()).build())
                .build();
    }

    /** A SigV4-signed POST with the root key (the Meshwork API beyond App Mesh's); the JSON answer, or an exception. */
    public com.fasterxml.jackson.databind.JsonNode signedPost(String path, String json) {
        return signed("POST", path, json);
    }

    /** A SigV4-signed PUT with the root key, e.g. an AWS principal's mapping; the JSON answer, or an exception. */
    public com.fasterxml.jackson.databind.JsonNode signedPut(String path, String json) {
        return signed("PUT", path, json);
    }

    /** A SigV4-signed GET with the root key; the JSON answer, or an exception. */
    public com.fasterxml.jackson.databind.JsonNode signedGet(String path) {
        return signed("GET", path, null);
    }

    private com.fasterxml.jackson.databind.JsonNode signed(String method, String path, String json) {
        java.net.URI uri = endpoint().resolve(path);
        byte[] body = json == null ? new byte[0] : json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var unsigned = software.amazon.awssdk.http.SdkHttpFullRequest.builder().method(software.amazon.awssdk.http.SdkHttpMethod.fromValue(method))
                .uri(uri).putHeader("Content-Type", "application/json")
                .contentStreamProvider(software.amazon.awssdk.http.ContentStreamProvider.fromByteArray(body)).build();
        var signed = software.amazon.awssdk.auth.signer.Aws4Signer.create().sign(unsigned,
                software.amazon.awssdk.auth.signer.params.Aws4SignerParams.builder().awsCredentials(AwsBasicCredentials.create(KEY_ID, SECRET))
                        .signingName("appmesh").signingRegion(Region.US_EAST_1).build());
        var request = java.net.http.HttpRequest.newBuilder(uri)
                .method(method, json == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        signed.headers().forEach((name, values) -> {
            if (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("X-Amz-Date")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.body());
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes a change to the mesh and waits for its fact: the configuration of at least one of the
     * mesh's proxies changed, and every live proxy of the mesh acknowledged the version the
     * control API holds for it (what {@code GET /meshwork/v1/proxies} reports), instead of
     * sleeping for "long enough".
     */
    public void changeAndAwaitProxies(String mesh, Runnable change) {
        Map<String, String> before = new HashMap<>();
        liveProxies(mesh).forEach(p -> before.put(p.path("proxyId").asText(), p.path("currentVersion").asText("")));
        change.run();
        awaitProxies(mesh, proxies -> proxies.stream().anyMatch(p -> !p.path("currentVersion").asText("")
                .equals(before.get(p.path("proxyId").asText()))), "acknowledge the change");
    }

    /** Waits until every one of {@code proxies} is ready and runs the version the control API holds for it. */
    public void awaitReady(String mesh, java.util.List<ProxyProcess> proxies) {
        proxies.forEach(ProxyProcess::awaitReady);
        awaitProxiesUpToDate(mesh, proxies.size());
    }

    /** Waits until {@code expectedProxies} live proxies of the mesh run the version the control API holds for each. */
    public void awaitProxiesUpToDate(String mesh, int expectedProxies) {
        awaitProxies(mesh, proxies -> proxies.size() == expectedProxies, "be up to date");
    }

    private void awaitProxies(String mesh, java.util.function.Predicate<java.util.List<com.fasterxml.jackson.databind.JsonNode>> also,
                              String what) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        java.util.List<com.fasterxml.jackson.databind.JsonNode> proxies = java.util.List.of();
        while (System.nanoTime() - deadline < 0) {
            proxies = liveProxies(mesh);
            if (!proxies.isEmpty() && proxies.stream().allMatch(p -> p.path("upToDate").asBoolean()) && also.test(proxies)) {
                return;
            }
            sleepBriefly();
        }
        throw new IllegalStateException("the proxies of mesh " + mesh + " did not " + what + ": " + proxies);
    }

    /**
     * The mesh's proxies that reported in the last 7 seconds (they report at least every 5): a
     * proxy a test killed drops out of the wait before its registration expires.
     */
    private java.util.List<com.fasterxml.jackson.databind.JsonNode> liveProxies(String mesh) {
        double since = (System.currentTimeMillis() - 7_000) / 1000.0;
        java.util.List<com.fasterxml.jackson.databind.JsonNode> live = new java.util.ArrayList<>();
        for (var p : signedGet("/meshwork/v1/proxies?mesh=" + mesh).path("proxies")) {
            if (p.path("lastSeenAt").asDouble() >= since) {
                live.add(p);
            }
        }
        return live;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stopServer();
        Files.exists(dataDir);
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
