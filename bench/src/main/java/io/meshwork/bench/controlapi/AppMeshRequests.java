package io.meshwork.bench.controlapi;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** SigV4-signed App Mesh requests, signed afresh for every call as an AWS SDK would. */
public final class AppMeshRequests {
    private final URI endpoint;
    private final Aws4SignerParams params;
    private final Aws4Signer signer = Aws4Signer.create();

    public AppMeshRequests(URI endpoint, String keyId, String secret) {
        this.endpoint = endpoint;
        this.params = Aws4SignerParams.builder().awsCredentials(AwsBasicCredentials.create(keyId, secret))
                .signingName("appmesh").signingRegion(Region.US_EAST_1).build();
    }

    public HttpRequest describeNode(String mesh, String node) {
        return signed("GET", "/v20190125/meshes/" + mesh + "/virtualNodes/" + node, null);
    }

    public HttpRequest listNodes(String mesh, int limit) {
        return signed("GET", "/v20190125/meshes/" + mesh + "/virtualNodes?limit=" + limit, null);
    }

    public HttpRequest createMesh(String mesh) {
        return signed("PUT", "/v20190125/meshes", "{\"meshName\":\"" + mesh + "\",\"spec\":{}}");
    }

    public HttpRequest createNode(String mesh, String node) {
        return signed("PUT", "/v20190125/meshes/" + mesh + "/virtualNodes",
                "{\"virtualNodeName\":\"" + node + "\",\"spec\":" + spec(node, 8080) + "}");
    }

    public HttpRequest updateNode(String mesh, String node, int port) {
        return signed("PUT", "/v20190125/meshes/" + mesh + "/virtualNodes/" + node, "{\"spec\":" + spec(node, port) + "}");
    }

    private static String spec(String node, int port) {
        return "{\"listeners\":[{\"portMapping\":{\"port\":" + port + ",\"protocol\":\"http\"}}],"
                + "\"serviceDiscovery\":{\"dns\":{\"hostname\":\"" + node + ".bench.local\"}},"
                + "\"backends\":[{\"virtualService\":{\"virtualServiceName\":\"backend.bench.local\"}}]}";
    }

    /** Any signed call to the control API (App Mesh or Meshwork's own paths). */
    public HttpRequest signed(String method, String pathAndQuery, String body) {
        URI uri = endpoint.resolve(pathAndQuery);
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest.Builder sdk = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("Content-Type", "application/json");
        if (bytes != null) {
            sdk.contentStreamProvider(ContentStreamProvider.fromByteArray(bytes));
        }
        SdkHttpFullRequest signedRequest = signer.sign(sdk.build(), params);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", "application/json")
                .header("Authorization", signedRequest.firstMatchingHeader("Authorization").orElseThrow())
                .header("X-Amz-Date", signedRequest.firstMatchingHeader("X-Amz-Date").orElseThrow());
        return request.build();
    }
}
