package io.meshwork.lambdahooks.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A handler run as Lambda runs it: the real AWS Lambda runtime interface client
 * ({@code com.amazonaws.services.lambda.runtime.api.client.AWSLambda}) in a process of its own,
 * polling a local Runtime API (this class) for invocations, as in Lambda's Java 17 runtime.
 * Records the cold start (process start to the first invocation taken) and each invocation's time.
 */
public final class LocalLambdaRuntime implements AutoCloseable {
    private static final String BASE = "/2018-06-01/runtime/invocation/";

    private record Invocation(String id, String event, CompletableFuture<String> result) {
    }

    private final HttpServer api;
    private final BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> running = new ConcurrentHashMap<>();
    private final Process process;
    private final Path log;
    private final long startedAt = System.nanoTime();
    private volatile long firstTakenAt;

    public LocalLambdaRuntime(String handler, Map<String, String> env, int timeoutSeconds) throws IOException {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.setExecutor(Executors.newCachedThreadPool());
        api.createContext(BASE, exchange -> {
            try {
                route(exchange, timeoutSeconds);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        api.start();
        log = Files.createTempFile("lambda-", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", // what Lambda's Java runtime sets
                "-cp", System.getProperty("java.class.path"), "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("MESHWORK_"));
        environment.putAll(env);
        environment.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.getAddress().getPort());
        environment.put("_HANDLER", handler);
        environment.put("AWS_LAMBDA_FUNCTION_NAME", "meshwork-custom-resources");
        environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Invokes the function with {@code event} (JSON) and waits for its result. */
    public String invoke(String event, Duration wait) throws Exception {
        Invocation invocation = new Invocation(UUID.randomUUID().toString(), event, new CompletableFuture<>());
        queue.add(invocation);
        try {
            return invocation.result().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the function did not answer within " + wait + "; its log:\n" + Files.readString(log));
        }
    }

    /** Process start to the first invocation taken: the runtime's and the handler's initialisation. */
    public Duration coldStart() {
        return Duration.ofNanos(firstTakenAt - startedAt);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private void route(HttpExchange exchange, int timeoutSeconds) throws IOException, InterruptedException {
        String rest = exchange.getRequestURI().getPath().substring(BASE.length());
        if (rest.equals("next") && exchange.getRequestMethod().equals("GET")) {
            Invocation next = queue.take();
            if (firstTakenAt == 0) {
                firstTakenAt = System.nanoTime();
            }
            running.put(next.id(), next);
            byte[] body = next.event().getBytes(StandardCharsets.UTF_8);
            var headers = exchange.getResponseHeaders();
            headers.add("Lambda-Runtime-Aws-Request-Id", next.id());
            headers.add("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + timeoutSeconds * 1000L));
            headers.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:111122223333:function:meshwork-custom-resources");
            headers.add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
            headers.add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            return;
        }
        String[] parts = rest.split("/");
        Invocation invocation = parts.length == 2 ? running.remove(parts[0]) : null;
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (invocation != null && parts[1].equals("response")) {
            invocation.result().complete(body);
        } else if (invocation != null && parts[1].equals("error")) {
            invocation.result().completeExceptionally(new IllegalStateException("the function failed: " + body));
        }
        exchange.sendResponseHeaders(202, -1);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        api.stop(0);
    }

    /** The environment a function gets from its configuration: the control API and a Meshwork key as its credentials. */
    public static Map<String, String> environment(LocalControlApi controlApi) {
        Map<String, String> env = new HashMap<>();
        env.put("MESHWORK_ENDPOINT", controlApi.endpoint().toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", LocalControlApi.KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", LocalControlApi.SECRET);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }
}
