package io.meshwork.cloudmap.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real moto_server (Cloud Map, ACM PCA, STS emulation) on a free loopback port, started and
 * stopped by the test that owns it. It can be stopped and started again on the same port to
 * simulate an outage (moto keeps no state across restarts, so tests re-create what they need).
 */
public final class MotoServer implements AutoCloseable {
    private final int port;
    private final Path log;
    private final java.util.Map<String, String> env;
    private Process process;

    public MotoServer() throws IOException {
        this(java.util.Map.of());
    }

    /** With moto settings in its environment, e.g. MOTO_IAM_LOAD_MANAGED_POLICIES=true (AWS managed policies exist). */
    public MotoServer(java.util.Map<String, String> env) throws IOException {
        this.env = env;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        log = Files.createTempFile("moto", ".log");
        start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public synchronized void start() throws IOException {
        List<String> command = new ArrayList<>();
        if (onPath("moto_server")) {
            command.add("moto_server");
        } else {
            command.addAll(List.of("python3", "-m", "moto.server"));
        }
        command.addAll(List.of("-H", "127.0.0.1", "-p", String.valueOf(port)));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("moto_server exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IOException("moto_server did not listen on " + port + " within 30 s");
    }

    /** Stops the server (an outage); {@link #start()} brings it back, empty. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
