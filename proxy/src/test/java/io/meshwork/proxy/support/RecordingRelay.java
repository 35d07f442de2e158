package io.meshwork.proxy.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of the control API that keeps a copy of every byte both ways and reads
 * them back as HTTP/1.1 exchanges: what a proxy really sent (its heartbeats, say) and what the
 * control API answered. Bytes pass unchanged, so SigV4 signatures stay valid.
 */
public final class RecordingRelay implements AutoCloseable {
    /** One request and the response to it. */
    public record Exchange(String method, String path, Map<String, String> requestHeaders, byte[] requestBody, int status,
                           byte[] responseBody) {
        public String requestBodyText() {
            return new String(requestBody, StandardCharsets.UTF_8);
        }
    }

    private record Connection(ByteArrayOutputStream requests, ByteArrayOutputStream responses) {
    }

    private final URI target;
    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public RecordingRelay(URI target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "recording-relay");
        accept.setDaemon(true);
        accept.start();
    }

    /** Where to point a client instead of the target. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getHost(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                Connection c = new Connection(new ByteArrayOutputStream(), new ByteArrayOutputStream());
                connections.add(c);
                pump(client.getInputStream(), upstream.getOutputStream(), c.requests(), upstream);
                pump(upstream.getInputStream(), client.getOutputStream(), c.responses(), client);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream copy, Socket peer) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (copy) {
                        copy.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            }
            try {
                peer.close();
            } catch (IOException e) {
                // closing anyway
            }
        }, "recording-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Every exchange complete so far (request and response), connection by connection, in order. */
    public List<Exchange> exchanges() {
        List<Exchange> out = new ArrayList<>();
        for (Connection c : connections) {
            byte[] requests;
            byte[] responses;
            synchronized (c.requests()) {
                requests = c.requests().toByteArray();
            }
            synchronized (c.responses()) {
                responses = c.responses().toByteArray();
            }
            List<Message> in = messages(requests);
            List<Message> back = messages(responses);
            for (int i = 0; i < Math.min(in.size(), back.size()); i++) {
                String[] requestLine = in.get(i).startLine().split(" ");
                int status = Integer.parseInt(back.get(i).startLine().split(" ")[1]);
                out.add(new Exchange(requestLine[0], requestLine[1], in.get(i).headers(), in.get(i).body(), status, back.get(i).body()));
            }
        }
        return out;
    }

    private record Message(String startLine, Map<String, String> headers, byte[] body) {
    }

    /** The complete messages in {@code bytes}: a head, then a Content-Length or chunked body. */
    private static List<Message> messages(byte[] bytes) {
        List<Message> out = new ArrayList<>();
        int at = 0;
        while (true) {
            int end = indexOf(bytes, at, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                return out;
            }
            String[] lines = new String(bytes, at, end - at, StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            int bodyStart = end + 4;
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                int p = bodyStart;
                while (true) {
                    int lineEnd = indexOf(bytes, p, "\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (lineEnd < 0) {
                        return out;
                    }
                    int size = Integer.parseInt(new String(bytes, p, lineEnd - p, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
                    if (lineEnd + 2 + size + 2 > bytes.length) {
                        return out;
                    }
                    body.write(bytes, lineEnd + 2, size);
                    p = lineEnd + 2 + size + 2;
                    if (size == 0) {
                        break;
                    }
                }
                at = p;
            } else {
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                if (bodyStart + length > bytes.length) {
                    return out;
                }
                body.write(bytes, bodyStart, length);
                at = bodyStart + length;
            }
            out.add(new Message(lines[0], headers, body.toByteArray()));
        }
    }

    private static int indexOf(byte[] bytes, int from, byte[] what) {
        outer:
        for (int i = from; i <= bytes.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (bytes[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
