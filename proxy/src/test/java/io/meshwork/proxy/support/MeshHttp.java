package io.meshwork.proxy.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** An app's HTTP/1.1 calls through its proxy's egress listener, addressed by virtual service name. */
public final class MeshHttp {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String egress;

    public MeshHttp(String proxyAddress) {
        this.egress = "http://" + proxyAddress + ":15001";
    }

    public HttpResponse<String> get(String host, String path) {
        return send("GET", host, path, Map.of());
    }

    public HttpResponse<String> send(String method, String host, String path, Map<String, String> headers) {
        return send(method, host, path, headers, null);
    }

    /** A call with a body (sent with its Content-Length), or none when {@code body} is null. */
    public HttpResponse<String> send(String method, String host, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(egress + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Host", host);
        headers.forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + host + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String backend(HttpResponse<String> response) {
        return response.headers().firstValue("x-backend").orElse("(local " + response.statusCode() + ")");
    }
}
