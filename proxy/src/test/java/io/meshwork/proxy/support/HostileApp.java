package io.meshwork.proxy.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An app that answers with bytes no HTTP client should accept, chosen by path: what a broken
 * server, a misconfigured port or a crashing process sends a proxy. Keep-alive until it says
 * otherwise; every answer is written raw, exactly as listed here.
 */
public final class HostileApp implements AutoCloseable {
    /** The answers by path; a path not listed gets a plain 200. */
    public static final Map<String, String> ANSWERS = Map.of(
            "/garbage", "<html><body>not HTTP at all</body></html>\r\n\r\n",
            "/bad-status", "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
            "/status-999", "HTTP/1.1 999 Whatever\r\nContent-Length: 0\r\n\r\n",
            "/huge-headers", "HTTP/1.1 200 OK\r\nX-Huge: " + "h".repeat(100_000) + "\r\nContent-Length: 0\r\n\r\n",
            "/switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0005hello",
            "/continue-then-ok", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes",
            "/truncated", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part-of-it",
            "/close-mid-headers", "HTTP/1.1 200 OK\r\nContent-Le");
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nx-backend: hostile\r\n\r\nok\n";

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-app");
        t.setDaemon(true);
        return t;
    });
    private volatile String everything;

    private HostileApp(ServerSocket server) {
        this.server = server;
        threads.execute(this::accept);
    }

    public static HostileApp start(String address, int port) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new java.net.InetSocketAddress(InetAddress.getByName(address), port));
            return new HostileApp(server);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** From now on every request, whatever its path, gets this answer (null: by path again). */
    public HostileApp answeringEverything(String raw) {
        this.everything = raw;
        return this;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            String requestLine;
            while ((requestLine = in.readLine()) != null) {
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // headers are ignored; requests here have no body
                }
                String path = requestLine.split(" ").length > 1 ? requestLine.split(" ")[1] : "/";
                String fixed = everything;
                String answer = fixed != null ? fixed : ANSWERS.getOrDefault(path, OK);
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (!answer.equals(OK) && !path.equals("/continue-then-ok")) {
                    return; // a broken answer: the connection ends with it
                }
            }
        } catch (IOException ignored) {
            // the proxy went away
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
