package io.meshwork.cloudmap.standalone;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cloudmap.sync.SyncPlane;
import io.meshwork.cloudmap.sync.SyncResult;
import io.meshwork.cloudmap.sync.SyncWork;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The control API as the standalone syncer's {@link SyncPlane}: SigV4-signed calls to
 * {@code /meshwork/v1/cloudmap/work}, {@code /state} and {@code /lease} with a Meshwork key that
 * is allowed {@code meshwork:SyncCloudMap}.
 */
public final class RemoteSyncPlane implements SyncPlane {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final URI controlApi;
    private final String holder;
    private final int leaseSeconds;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Aws4Signer signer = Aws4Signer.create();
    private final Aws4SignerParams signing;

    public RemoteSyncPlane(URI controlApi, String accessKeyId, String secretAccessKey, String region, String holder, Duration lease) {
        this.controlApi = controlApi;
        this.holder = holder;
        this.leaseSeconds = (int) Math.max(2, lease.toSeconds());
        this.signing = Aws4SignerParams.builder().awsCredentials(AwsBasicCredentials.create(accessKeyId, secretAccessKey))
                .signingName("appmesh").signingRegion(Region.of(region)).build();
    }

    @Override
    public SyncWork work() {
        return read(send("GET", "/meshwork/v1/cloudmap/work?holder=" + enc(holder) + "&leaseSeconds=" + leaseSeconds, null), SyncWork.class);
    }

    @Override
    public void apply(SyncResult result) {
        try {
            send("PUT", "/meshwork/v1/cloudmap/state?holder=" + enc(holder), JSON.writeValueAsBytes(result));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void release() {
        send("DELETE", "/meshwork/v1/cloudmap/lease?holder=" + enc(holder), null);
    }

    private byte[] send(String method, String pathAndQuery, byte[] body) {
        URI uri = controlApi.resolve(pathAndQuery);
        SdkHttpFullRequest.Builder unsigned = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("Content-Type", "application/json");
        if (body != null) {
            unsigned.contentStreamProvider(ContentStreamProvider.fromByteArray(body));
        }
        SdkHttpFullRequest signed = signer.sign(unsigned.build(), signing);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        signed.headers().forEach((name, values) -> {
            if (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("X-Amz-Date")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + uri.getPath() + ": " + response.statusCode() + " "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("control API " + controlApi + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static <T> T read(byte[] body, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
