package io.meshwork.packaging.image;

import io.meshwork.packaging.Await;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The control API image running in a network namespace with nothing but its root key set, reached
 * from the test JVM over the namespace's address, as clients reach a control API task.
 */
final class ControlApiContainer implements AutoCloseable {
    static final String KEY_ID = "MWKIMAGETEST00000001";
    static final String SECRET = "image-test-secret-not-for-production-0123";

    private final Container container;
    private final URI endpoint;

    private ControlApiContainer(Container container, URI endpoint) {
        this.container = container;
        this.endpoint = endpoint;
    }

    static ControlApiContainer start(Path work, NetworkNamespace ns) {
        Bundle bundle = Bundle.unpack(ImageHost.archive("control-api"), work)
                .network(ns)
                .env("CONTROL_API_ROOT_ACCESS_KEY_ID", KEY_ID)
                .env("CONTROL_API_ROOT_SECRET_ACCESS_KEY", SECRET);
        Container container = Container.start(bundle, "mw-control-api");
        ControlApiContainer api = new ControlApiContainer(container, URI.create("http://" + ns.address() + ":8080"));
        try {
            api.awaitHealthy();
        } catch (RuntimeException e) {
            container.close();
            throw e;
        }
        return api;
    }

    private void awaitHealthy() {
        Await.until(Duration.ofSeconds(60), () -> {
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/health").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                return c.getResponseCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        }, () -> "the control API image does not answer /health at " + endpoint + ":\n" + container.log());
    }

    Container container() {
        return container;
    }

    URI endpoint() {
        return endpoint;
    }

    /** The AWS SDK's App Mesh client, signing with {@code secret} for the root key id. */
    AppMeshClient client(String secret) {
        return AppMeshClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, secret)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(DefaultRetryStrategy.doNotRetry()).build())
                .build();
    }

    AppMeshClient client() {
        return client(SECRET);
    }

    @Override
    public void close() {
        container.close();
    }
}
