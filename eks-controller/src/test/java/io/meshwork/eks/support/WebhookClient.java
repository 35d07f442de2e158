package io.meshwork.eks.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.eks.MeshworkController;
import io.meshwork.proxyapi.SnapshotJson;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;

/** The API server's side of the webhook: HTTPS to the controller, trusting the CA in its caBundle. */
public final class WebhookClient {
    private final HttpClient http;
    private final int port;

    public WebhookClient(MeshworkController controller, X509Certificate ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        port = controller.webhookPort();
    }

    public HttpResponse<String> post(String path, String body) throws Exception {
        // "localhost" is in the certificate's names, as the Service's DNS names are in a cluster.
        return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a review and returns the answering review. */
    public JsonNode review(String path, JsonNode review) throws Exception {
        HttpResponse<String> response = post(path, review.toString());
        if (response.statusCode() != 200) {
            throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return SnapshotJson.mapper().readTree(response.body());
    }
}
