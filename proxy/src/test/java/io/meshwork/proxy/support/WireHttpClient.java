package io.meshwork.proxy.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.1 client that writes requests byte for byte as curl and wrk do (a bodiless request
 * carries no Content-Length, unlike the JDK's client) over one keep-alive connection per thread,
 * and reads responses strictly: a status line that is not {@code HTTP/1.x NNN}, or a body that
 * ends early, is an error, not an answer.
 */
public final class WireHttpClient implements AutoCloseable {
    /** One response: status, headers (names in lower case) and body. */
    public record Reply(int status, Map<String, String> headers, String body) {
    }

    private final InetSocketAddress target;
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();
    private final java.util.Set<Connection> all = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public WireHttpClient(String address, int port) {
        this.target = new InetSocketAddress(address, port);
    }

    public Reply get(String host, String path) {
        return send("GET", host, path, null);
    }

    /** One request; a connection the server closed before answering is not retried (that would hide bugs). */
    public Reply send(String method, String host, String path, String body) {
        Connection c = connections.get();
        try {
            if (c == null || c.closed) {
                c = new Connection(target);
                connections.set(c);
                all.add(c);
            }
            StringBuilder head = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append("\r\nUser-Agent: wire-test\r\nAccept: */*\r\n");
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                head.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            head.append("\r\n");
            c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            c.out.write(bytes);
            c.out.flush();
            return c.read("HEAD".equals(method));
        } catch (IOException e) {
            if (c != null) {
                c.close();
            }
            throw new IllegalStateException(method + " " + host + path + ": " + e, e);
        }
    }

    @Override
    public void close() {
        all.forEach(Connection::close);
    }

    private static final class Connection {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;
        boolean closed;

        Connection(InetSocketAddress target) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(target, 5000);
            socket.setSoTimeout(20_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        Reply read(boolean head) throws IOException {
            String statusLine = line();
            if (!statusLine.matches("HTTP/1\\.[01] [1-5][0-9][0-9]( .*)?")) {
                throw new IOException("malformed status line: '" + statusLine + "'");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new TreeMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            if (status / 100 == 1) {
                return read(head); // an interim answer; the real one follows
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (head || status == 204 || status == 304) {
                // no body
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                     size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    body.write(exactly(size));
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (headers.containsKey("content-length")) {
                body.write(exactly(Integer.parseInt(headers.get("content-length"))));
            } else {
                body.write(in.readAllBytes());
                close();
            }
            if ("close".equalsIgnoreCase(headers.get("connection"))) {
                close();
            }
            return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
        }

        private byte[] exactly(int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new IOException("body ended after " + bytes.length + " of " + n + " bytes");
            }
            return bytes;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed" + (line.length() > 0 ? " mid-line: " + line : ""));
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
