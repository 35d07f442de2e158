package io.meshwork.lambdahooks.support;

import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The real control API in the test JVM (embedded store), with a known root key. */
public final class LocalControlApi implements AutoCloseable {
    public static final String KEY_ID = "MWKHOOKTESTROOT00001";
    public static final String SECRET = "hook-test-root-secret";

    private final EmbeddedServer server;
    private final URI endpoint;

    public LocalControlApi() throws IOException {
        this(Map.of());
    }

    /**
     * With more control-api settings, e.g. {@code micronaut.server.host: 0.0.0.0} for proxies in
     * network namespaces to reach it ({@link #endpoint()} stays on 127.0.0.1 for the test itself).
     */
    public LocalControlApi(Map<String, Object> settings) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", port);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("control-api.data-dir", Files.createTempDirectory("meshwork-hook-").toString());
        props.put("control-api.root-access-key-id", KEY_ID);
        props.put("control-api.root-secret-access-key", SECRET);
        props.putAll(settings);
        server = ApplicationContext.run(EmbeddedServer.class, props);
        endpoint = URI.create("http://127.0.0.1:" + port + "/");
    }

    public int port() {
        return endpoint.getPort();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Signing as {@code keyId} (a Meshwork key: no login needed). */
    public ControlApiCredentialsProvider credentials(String keyId, String secret) {
        return ControlApiCredentialsProvider.builder().controlApi(endpoint)
                .awsCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret))).build();
    }

    public ControlApiCredentialsProvider root() {
        return credentials(KEY_ID, SECRET);
    }

    public AppMeshClient appMesh() {
        return AppMeshClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET))).build();
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
