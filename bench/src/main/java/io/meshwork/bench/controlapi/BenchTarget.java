package io.meshwork.bench.controlapi;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A server under test, started as its own process: the control API (H2 or PostgreSQL) or moto. */
public final class BenchTarget implements AutoCloseable {
    public static final String KEY_ID = "MWKBENCHROOTKEY00001";
    public static final String SECRET = "bench-secret-0123456789abcdefghijklmnopq";
    public final String name;
    public final URI endpoint;
    private final Process process;

    private BenchTarget(String name, URI endpoint, Process process) {
        this.name = name;
        this.endpoint = endpoint;
        this.process = process;
    }

    public static BenchTarget controlApi(String name, Path jar, Path dataDir, Map<String, String> env) throws Exception {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString());
        builder.environment().putAll(env);
        builder.environment().put("CONTROL_API_PORT", Integer.toString(port));
        builder.environment().put("CONTROL_API_DATA_DIR", dataDir.toString());
        builder.environment().put("CONTROL_API_ROOT_ACCESS_KEY_ID", KEY_ID);
        builder.environment().put("CONTROL_API_ROOT_SECRET_ACCESS_KEY", SECRET);
        builder.environment().put("CONTROL_API_ACCESS_LOG_LEVEL", "WARN");
        builder.redirectErrorStream(true).redirectOutput(dataDir.resolve("control-api.log").toFile());
        BenchTarget target = new BenchTarget(name, URI.create("http://127.0.0.1:" + port), builder.start());
        target.await("/health");
        return target;
    }

    /** CPU time the control API process has used so far (user + system); zero for an external target. */
    public Duration cpuTime() {
        return process == null ? Duration.ZERO : process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    static BenchTarget external(URI endpoint) {
        return new BenchTarget("external " + endpoint, endpoint, null);
    }

    public static BenchTarget moto(Path logDir) throws Exception {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(List.of("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port)));
        builder.redirectErrorStream(true).redirectOutput(logDir.resolve("moto.log").toFile());
        BenchTarget target = new BenchTarget("moto_server 5.2.1", URI.create("http://127.0.0.1:" + port), builder.start());
        target.await("/moto-api/");
        return target;
    }

    private void await(String path) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() < 500) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(name + " did not come up");
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
