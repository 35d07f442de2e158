package io.meshwork.controlapi.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The control API as its own operating-system process (java + the test classpath), for
 * what an in-JVM server cannot show: SIGKILL, exit codes, start-up messages.
 */
public final class ControlApiProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ControlApiProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static ControlApiProcess start(Map<String, String> env) {
        try {
            int port = freePort();
            Path log = Files.createTempFile("control-api-", ".log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.meshwork.controlapi.ControlApiApplication");
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(k -> k.startsWith("CONTROL_API_"));
            environment.put("CONTROL_API_PORT", Integer.toString(port));
            environment.put("CONTROL_API_ROOT_ACCESS_KEY_ID", ControlApiServer.ROOT_KEY_ID);
            environment.put("CONTROL_API_ROOT_SECRET_ACCESS_KEY", ControlApiServer.ROOT_SECRET);
            environment.putAll(env);
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            return new ControlApiProcess(builder.start(), port, log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until /health answers 200, or fails with the process output. */
    public ControlApiProcess awaitHealthy(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("control API exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint().resolve("/health").toURL().openConnection();
                c.setConnectTimeout(200);
                if (c.getResponseCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // keep waiting
            }
            sleep(100);
        }
        throw new IllegalStateException("control API not healthy after " + timeout + ":\n" + output());
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("still running after " + timeout);
        }
        return process.exitValue();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: no shutdown hooks, no flushing. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a leftover log file is harmless
        }
    }

    public static Map<String, String> env(Object... keyValues) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
