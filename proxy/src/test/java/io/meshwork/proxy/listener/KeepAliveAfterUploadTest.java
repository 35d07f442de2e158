package io.meshwork.proxy.listener;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.proxy.http.RequestPath;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.RouteDecision;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxy.upstream.UpstreamConnectors;
import io.meshwork.proxyapi.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.resolver.DefaultAddressResolverGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real HTTP/1.1 pipeline on real sockets, on each transport a proxy may run on (io_uring, epoll
 * where seccomp refuses io_uring, NIO), in front of a JDK HTTP server: after an upload, the same
 * keep-alive connection answers the next request. Uploads around 64–100 KB once left the connection
 * no longer reading; pausing and resuming reads is what each transport does its own way.
 */
class KeepAliveAfterUploadTest {

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aSecondRequestAfterAnUploadOnTheSameKeepAliveConnectionIsAnswered(String name) throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            byte[] answer = ("got " + body.length).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        app.start();
        Transport transport = Transport.fromEnvironment(name);
        assumeTrue(transport.kind().name().equalsIgnoreCase(name), name + " is not available here");
        EventLoopGroup group = transport.group(1);
        try {
            Upstream upstream = Upstream.fixed("app", app.getAddress());
            RequestRouting routing = new RequestRouting() {
                @Override
                public RouteDecision route(HttpRequest request) {
                    return new RouteDecision.Forward(upstream, Protocol.HTTP, "all", 15_000, 0, RetryRules.NONE, null, null, null, null);
                }

                @Override
                public String direction() {
                    return "egress";
                }
            };
            RequestPath path = new RequestPath(routing,
                    UpstreamConnectors.pooled(transport.sockets(), DefaultAddressResolverGroup.INSTANCE), r -> { }, ResilienceEvents.NONE);
            Channel server = new ServerBootstrap().group(group).channelFactory(transport.servers())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            HttpPipelines.addHttp1(ch.pipeline(), path, 8_000);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            int stalled = 0;
            int rounds = 60;
            for (int round = 0; round < rounds; round++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(3_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    int size = 66_000 + round * 7_919;
                    byte[] head = ("POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                    byte[] all = new byte[head.length + size];
                    System.arraycopy(head, 0, all, 0, head.length);
                    out.write(all);
                    out.flush();
                    String first = readResponse(in);
                    assertTrue(first.startsWith("HTTP/1.1 200") && first.endsWith("got " + size), first);
                    out.write("GET /next HTTP/1.1\r\nHost: app\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    try {
                        String second = readResponse(in);
                        assertTrue(second.startsWith("HTTP/1.1 200"), second);
                    } catch (SocketTimeoutException e) {
                        stalled++;
                    }
                }
            }
            assertEquals(0, stalled, "keep-alive connections that stalled after an upload, of " + rounds);
            server.close().sync();
        } finally {
            group.shutdownGracefully().sync();
            app.stop(0);
        }
    }

    /** One response with a Content-Length body, as text. */
    private static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int contentLength = -1;
        int headerEnd = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed after " + buf);
            }
            buf.write(b);
            String text = buf.toString(StandardCharsets.ISO_8859_1);
            if (headerEnd < 0 && text.endsWith("\r\n\r\n")) {
                headerEnd = text.length();
                for (String line : text.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        contentLength = Integer.parseInt(line.substring(15).trim());
                    }
                }
            }
            if (headerEnd >= 0 && buf.size() - headerEnd >= Math.max(contentLength, 0)) {
                return text;
            }
        }
    }
}
