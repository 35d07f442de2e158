package io.meshwork.eks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshwork.proxyapi.SnapshotJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The admission webhooks over HTTPS (the JDK's server: a handful of small requests a second,
 * from the API server only), plus {@code /healthz} and {@code /readyz} for the Deployment's probes.
 */
public final class WebhookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
    /** The API server sends at most 3 MiB objects. */
    private static final int MAX_BODY = 4 * 1024 * 1024;

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "meshwork-webhook");
        t.setDaemon(true);
        return t;
    });

    public WebhookServer(InetSocketAddress address, SSLContext tls, AdmissionHandler handler, BooleanSupplier ready) throws IOException {
        server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, handler, ready);
            } catch (RuntimeException | IOException e) {
                LOG.warn("webhook {}: {}", exchange.getRequestURI().getPath(), e.toString());
            }
        });
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, AdmissionHandler handler, BooleanSupplier ready) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/healthz")) {
            reply(exchange, 200, "text/plain", "ok");
            return;
        }
        if (path.equals("/readyz")) {
            boolean isReady = ready.getAsBoolean();
            reply(exchange, isReady ? 200 : 503, "text/plain", isReady ? "ok" : "informers not synced yet");
            return;
        }
        if (!AdmissionHandler.serves(path)) {
            reply(exchange, 404, "text/plain", "no webhook at " + path);
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            reply(exchange, 405, "text/plain", "webhooks take POST");
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            reply(exchange, 413, "text/plain", "AdmissionReview larger than 4 MiB");
            return;
        }
        JsonNode review;
        try {
            review = SnapshotJson.mapper().readTree(body);
        } catch (IOException e) {
            reply(exchange, 400, "text/plain", "the body is not JSON: " + e.getMessage());
            return;
        }
        try {
            reply(exchange, 200, "application/json", handler.handle(path, review).toString());
        } catch (InjectionRefusedException e) {
            reply(exchange, 400, "text/plain", e.getMessage());
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
