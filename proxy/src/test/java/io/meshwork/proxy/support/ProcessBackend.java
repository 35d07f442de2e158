package io.meshwork.proxy.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An app written outside Java behind a proxy, as its own process: a small Python
 * {@code http.server} service (the shape many real apps have: keep-alive, headers and body in
 * separate writes, no chunked request bodies) or nginx. Real peers catch framing mistakes that a
 * Netty test backend forgives.
 */
public final class ProcessBackend implements AutoCloseable {
    private final Process process;
    private final Path dir;

    private ProcessBackend(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** {@code src/test/resources/backends/python_app.py} as {@code name} on {@code address:port}. */
    public static ProcessBackend python(String name, String address, int port) {
        Path script = Path.of("src", "test", "resources", "backends", "python_app.py").toAbsolutePath();
        return start(List.of("python3", script.toString(), name, address, Integer.toString(port)), null, address, port);
    }

    /** Whether nginx is installed (Debian's package; {@code .ci/run} installs it). */
    public static boolean nginxInstalled() {
        return Files.isExecutable(Path.of("/usr/sbin/nginx"));
    }

    /**
     * nginx on {@code port} of each of {@code addresses}, answering every request with a line
     * naming the address it was reached on ({@code x-backend} too), reading any request body.
     */
    public static ProcessBackend nginx(List<String> addresses, int port) {
        try {
            Path dir = Files.createTempDirectory("nginx-backend-");
            StringBuilder servers = new StringBuilder();
            for (String address : addresses) {
                servers.append("  server { listen ").append(address).append(':').append(port).append(";\n")
                        .append("    location / { client_body_buffer_size 1m; add_header x-backend nginx-").append(address)
                        .append(" always; return 200 \"nginx-").append(address).append(" $request_method $request_uri\\n\"; }\n")
                        .append("  }\n");
            }
            Files.writeString(dir.resolve("nginx.conf"), """
                    worker_processes 1;
                    daemon off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log warn;
                    events { worker_connections 1024; }
                    http {
                      access_log off;
                      keepalive_requests 100000;
                      client_body_temp_path %1$s/body;
                      proxy_temp_path %1$s/proxy;
                      fastcgi_temp_path %1$s/fastcgi;
                      uwsgi_temp_path %1$s/uwsgi;
                      scgi_temp_path %1$s/scgi;
                    %2$s}
                    """.formatted(dir, servers));
            return start(List.of("/usr/sbin/nginx", "-e", dir.resolve("error.log").toString(), "-p", dir.toString(),
                    "-c", dir.resolve("nginx.conf").toString()), dir, addresses.get(0), port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProcessBackend start(List<String> command, Path dir, String address, int port) {
        try {
            Path log = Files.createTempFile("backend-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            ProcessBackend backend = new ProcessBackend(process, dir);
            backend.awaitListening(address, port, log);
            return backend;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitListening(String address, int port, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("backend exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("backend not listening on " + address + ":" + port + ": " + Files.readString(log));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
