package io.meshwork.proxy.support;

import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the credentials endpoint ECS (169.254.170.2) and EKS Pod Identity
 * (169.254.170.23) give a task or pod, on loopback (the SDK accepts a loopback
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} over plain HTTP): each path serves one role's
 * temporary credentials, to callers that present the path's authorization token, as the
 * Pod Identity agent requires.
 */
public final class ContainerCredentialsEndpoint implements AutoCloseable {
    private record Served(AwsSessionCredentials credentials, String token, AtomicInteger requests) {
    }

    private final HttpServer server;
    private final Map<String, Served> served = new ConcurrentHashMap<>();

    public ContainerCredentialsEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Served s = served.get(exchange.getRequestURI().getPath());
            int status;
            String body;
            if (s == null) {
                status = 404;
                body = "{\"message\":\"no such credentials\"}";
            } else if (!s.token().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                body = "{\"message\":\"bad authorization token\"}";
            } else {
                s.requests().incrementAndGet();
                status = 200;
                body = "{\"AccessKeyId\":\"" + s.credentials().accessKeyId() + "\",\"SecretAccessKey\":\""
                        + s.credentials().secretAccessKey() + "\",\"Token\":\"" + s.credentials().sessionToken()
                        + "\",\"Expiration\":\"" + Instant.now().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** Serves {@code credentials} at {@code path} to callers presenting {@code token}. */
    public URI serve(String path, AwsSessionCredentials credentials, String token) {
        served.put(path, new Served(credentials, token, new AtomicInteger()));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** How often the credentials at {@code path} were handed out. */
    public int requests(String path) {
        return served.get(path).requests().get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
