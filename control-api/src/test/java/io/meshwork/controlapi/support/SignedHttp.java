package io.meshwork.controlapi.support;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw HTTP requests to the control API, SigV4-signed like an AWS client would (or signed
 * wrongly on purpose), for what the SDKs refuse to send: malformed bodies, odd times, ...
 */
public final class SignedHttp {
    private final URI endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    public SignedHttp(URI endpoint) {
        this.endpoint = endpoint;
    }

    public HttpResponse<String> send(String method, String pathAndQuery, byte[] body) {
        return send(method, pathAndQuery, body, ControlApiServer.ROOT_KEY_ID, ControlApiServer.ROOT_SECRET, Instant.now());
    }

    public HttpResponse<String> send(String method, String pathAndQuery, byte[] body, String keyId, String secret,
                                     Instant signedAt) {
        return send(method, pathAndQuery, body, "application/json", keyId, secret, signedAt);
    }

    /** Signed correctly with the root key, with a content type of the caller's choice. */
    public HttpResponse<String> send(String method, String pathAndQuery, byte[] body, String contentType) {
        return send(method, pathAndQuery, body, contentType, ControlApiServer.ROOT_KEY_ID, ControlApiServer.ROOT_SECRET,
                Instant.now());
    }

    private HttpResponse<String> send(String method, String pathAndQuery, byte[] body, String contentType, String keyId,
                                      String secret, Instant signedAt) {
        Map<String, String> headers = new HashMap<>(signatureHeaders(method, pathAndQuery, body, contentType, keyId, secret,
                signedAt));
        headers.put("Content-Type", contentType);
        return sendUnsigned(method, pathAndQuery, body, headers);
    }

    /** The Authorization and X-Amz-Date headers a client would send with this request. */
    public Map<String, String> signatureHeaders(String method, String pathAndQuery, byte[] body, String keyId,
                                                String secret, Instant signedAt) {
        return signatureHeaders(method, pathAndQuery, body, "application/json", keyId, secret, signedAt);
    }

    private Map<String, String> signatureHeaders(String method, String pathAndQuery, byte[] body, String contentType,
                                                 String keyId, String secret, Instant signedAt) {
        URI uri = endpoint.resolve(pathAndQuery);
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .uri(uri)
                .putHeader("Content-Type", contentType);
        if (body != null) {
            builder.contentStreamProvider(ContentStreamProvider.fromByteArray(body));
        }
        Map<String, List<String>> signed = Aws4Signer.create().sign(builder.build(), Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create(keyId, secret))
                .signingName("appmesh").signingRegion(Region.of(ControlApiServer.REGION))
                .signingClockOverride(Clock.fixed(signedAt, ZoneOffset.UTC)).build()).headers();
        return Map.of("Authorization", signed.get("Authorization").get(0), "X-Amz-Date", signed.get("X-Amz-Date").get(0));
    }

    public HttpResponse<String> sendUnsigned(String method, String pathAndQuery, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
