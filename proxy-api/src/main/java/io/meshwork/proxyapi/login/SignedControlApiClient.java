package io.meshwork.proxyapi.login;

import io.meshwork.proxyapi.SnapshotJson;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Calls to the control API's Meshwork endpoints ({@code /meshwork/v1/...}), SigV4-signed for
 * {@code appmesh} like every client's, with credentials from {@link ControlApiCredentialsProvider}
 * (a Meshwork key, or the AWS identity at hand logged in). Shared by the proxy and the Lambda
 * hooks, so both sign and renew sessions the same way.
 */
public final class SignedControlApiClient {
    private final URI controlApi;
    private final Region region;
    private final ControlApiCredentialsProvider credentials;
    private final HttpClient http;
    private final Aws4Signer signer = Aws4Signer.create();

    public SignedControlApiClient(URI controlApi, String region, ControlApiCredentialsProvider credentials, HttpClient http) {
        this.controlApi = controlApi;
        this.region = Region.of(region);
        this.credentials = credentials;
        this.http = http;
    }

    public HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        URI uri = controlApi.resolve(pathAndQuery);
        SdkHttpFullRequest.Builder unsigned = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("Content-Type", "application/json");
        if (body != null) {
            unsigned.contentStreamProvider(ContentStreamProvider.fromByteArray(body));
        }
        AwsCredentials signingCredentials = signingCredentials();
        SdkHttpFullRequest signed = signer.sign(unsigned.build(), Aws4SignerParams.builder().awsCredentials(signingCredentials)
                .signingName("appmesh").signingRegion(region).build());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        signed.headers().forEach((name, values) -> {
            if (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("X-Amz-Date")
                    || name.equalsIgnoreCase("X-Amz-Security-Token")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 403 && AwsAccessKeys.isMeshworkSession(signingCredentials.accessKeyId())
                && !SnapshotJson.string(response.body()).contains("is not authorized to perform")) {
            // The session itself was refused (expired while suspended, the control API's encryption
            // key changed): log in afresh at the next call. A policy refusal is not cured that way.
            credentials.invalidate();
        }
        return response;
    }

    /** Credentials resolved now: the chain's may have rotated, a session may be due for renewal. */
    private AwsCredentials signingCredentials() throws IOException {
        try {
            return credentials.resolveCredentials();
        } catch (SdkException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** A query parameter's value. */
    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
