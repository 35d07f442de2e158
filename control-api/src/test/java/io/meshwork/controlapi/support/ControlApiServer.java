package io.meshwork.controlapi.support;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A control API running in this JVM on a free loopback port, with a fresh data dir (or the
 * given JDBC URL) and a known root key, plus real AWS SDK clients pointed at it.
 */
public final class ControlApiServer implements AutoCloseable {
    public static final String ROOT_KEY_ID = "MWKTESTROOTKEY000001";
    public static final String ROOT_SECRET = "test-root-secret-0123456789abcdefghijklmn";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";

    private final EmbeddedServer server;
    private final Path dataDir;

    private ControlApiServer(EmbeddedServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    public static ControlApiServer start() {
        return start(Map.of());
    }

    /** Starts with extra properties, e.g. {@code control-api.jdbc-url} or quotas. */
    public static ControlApiServer start(Map<String, Object> extra) {
        try {
            Path dataDir = Files.createTempDirectory("meshwork-test-");
            Map<String, Object> props = new HashMap<>();
            props.put("micronaut.server.port", -1);
            props.put("micronaut.server.host", "127.0.0.1");
            props.put("control-api.data-dir", dataDir.toString());
            props.put("control-api.root-access-key-id", ROOT_KEY_ID);
            props.put("control-api.root-secret-access-key", ROOT_SECRET);
            props.putAll(extra);
            EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props);
            return new ControlApiServer(server, dataDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    public int port() {
        return server.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    public AppMeshClient client() {
        return client(ROOT_KEY_ID, ROOT_SECRET);
    }

    /** A real SDK client: SigV4-signed, no retries (so errors surface at once). */
    public AppMeshClient client(String keyId, String secret) {
        return clientFor(endpoint(), keyId, secret);
    }

    public static AppMeshClient clientFor(URI endpoint, String keyId, String secret) {
        return clientFor(endpoint, StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)));
    }

    /** A real SDK client whose credentials come from {@code credentials}, e.g. an AWS login. */
    public static AppMeshClient clientFor(URI endpoint, AwsCredentialsProvider credentials) {
        return AppMeshClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(DefaultRetryStrategy.doNotRetry()).build())
                .build();
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
        TestFiles.deleteRecursively(dataDir);
    }
}
