package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.H2Client;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Malformed and hostile traffic gets a 4xx or a closed connection; the proxy stays up and small. */
class HostileTrafficEndToEndTest {
    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static ProxyProcess caller;

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName("hostile"));
        appMesh.createVirtualNode(r -> r.meshName("hostile").virtualNodeName("web").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(8000).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("127.0.0.92")))));
        appMesh.createVirtualService(r -> r.meshName("hostile").virtualServiceName("web.hostile.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("web")))));
        appMesh.createVirtualNode(r -> r.meshName("hostile").virtualNodeName("caller").spec(s -> s
                .backends(b -> b.virtualService(v -> v.virtualServiceName("web.hostile.local")))));
        running.add(TestBackend.http("web", "127.0.1.92", 8000));
        var data = Files.createTempDirectory("proxy-data-");
        ProxyProcess web = ProxyProcess.start(plane, "mesh/hostile/virtualNode/web", "127.0.0.92", "127.0.1.92", data, Map.of());
        caller = ProxyProcess.start(plane, "mesh/hostile/virtualNode/caller", "127.0.0.91", "127.0.1.91", data, Map.of());
        running.add(web);
        running.add(caller);
        web.awaitReady();
        caller.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
        appMesh.close();
        plane.close();
    }

    @Test
    void malformedRequestsGet4xxAndAClosedConnection() throws Exception {
        assertStatusThenClosed("GET / HTTP/1.1\r\nHost: web.hostile.local\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n", 431);
        assertStatusThenClosed("GET /" + "u".repeat(10_000) + " HTTP/1.1\r\nHost: web.hostile.local\r\n\r\n", 414);
        assertStatusThenClosed("THIS IS NOT HTTP\r\n\r\n", 400);
        assertStatusThenClosed("GET / HTTP/1.1\r\nHost: web.hostile.local\r\nContent-Length: abc\r\n\r\n", 400);
        assertEquals(200, new MeshHttp("127.0.0.91").get("web.hostile.local", "/").statusCode(), "and the proxy serves on");
    }

    @Test
    void anHttp2ResetFloodClosesThatConnectionOnly() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel connection = rawHttp2Connection(group);
            for (int i = 0; i < 2000 && connection.isActive(); i++) {
                var opened = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter()).open().awaitUninterruptibly();
                if (!opened.isSuccess()) {
                    break;
                }
                Http2StreamChannel stream = opened.getNow();
                DefaultHttp2Headers headers = new DefaultHttp2Headers();
                headers.method("GET").path("/slow?ms=1000").scheme("http").authority("web.hostile.local");
                stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
                stream.close();
            }
            assertTrue(connection.closeFuture().await(10, TimeUnit.SECONDS), "the proxy closes a connection flooding resets");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertTrue(caller.isAlive());
        assertEquals(200, new MeshHttp("127.0.0.91").get("web.hostile.local", "/").statusCode());
    }

    @Test
    void anHttp2RequestWhoseHostContradictsItsAuthorityGets400AndTheConnectionServesOn() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel connection = rawHttp2Connection(group);
            DefaultHttp2Headers contradicting = new DefaultHttp2Headers();
            contradicting.method("GET").path("/").scheme("http").authority("web.hostile.local").add("host", "other.local");
            String[] refused = rawHttp2Exchange(connection, contradicting);
            assertEquals("400", refused[0], "a response saying why, not a reset");
            assertTrue(refused[1].contains("Conflicting ':authority' and 'host'"), refused[1]);
            assertTrue(refused[2].contains("DPE"), "flagged as a downstream protocol error: " + refused[2]);
            DefaultHttp2Headers fine = new DefaultHttp2Headers();
            fine.method("GET").path("/").scheme("http").authority("web.hostile.local");
            assertEquals("200", rawHttp2Exchange(connection, fine)[0], "the same connection serves its next stream");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** An HTTP/2 connection to the caller's egress listener whose streams the test writes frame by frame. */
    private static Channel rawHttp2Connection(EventLoopGroup group) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        }).connect("127.0.0.91", 15001).syncUninterruptibly().channel();
    }

    /** One stream of raw frames: the response's status, its body and its x-meshwork-flags. */
    private static String[] rawHttp2Exchange(Channel connection, DefaultHttp2Headers request) throws Exception {
        var result = new java.util.concurrent.CompletableFuture<String[]>();
        StringBuilder body = new StringBuilder();
        String[] head = new String[2];
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                boolean end = false;
                if (msg instanceof io.netty.handler.codec.http2.Http2HeadersFrame headers) {
                    if (headers.headers().status() != null) {
                        head[0] = headers.headers().status().toString();
                        CharSequence flags = headers.headers().get("x-meshwork-flags");
                        head[1] = flags == null ? "" : flags.toString();
                    }
                    end = headers.isEndStream();
                } else if (msg instanceof io.netty.handler.codec.http2.Http2DataFrame data) {
                    body.append(data.content().toString(StandardCharsets.UTF_8));
                    end = data.isEndStream();
                } else if (msg instanceof io.netty.handler.codec.http2.Http2ResetFrame reset) {
                    result.completeExceptionally(new AssertionError("stream reset: " + reset.errorCode()));
                }
                io.netty.util.ReferenceCountUtil.release(msg);
                if (end) {
                    result.complete(new String[]{head[0], body.toString(), head[1]});
                }
            }
        }).open().syncUninterruptibly().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(request, true));
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void finishedHttp2StreamsDoNotStayOnTheHeap() throws Exception {
        try (H2Client h2 = new H2Client("127.0.0.91", 15001)) {
            for (int batch = 0; batch < 100; batch++) {
                List<java.util.concurrent.CompletableFuture<H2Client.Response>> calls = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    calls.add(h2.sendAsync("GET", "web.hostile.local", "/", Map.of(), null));
                }
                for (var call : calls) {
                    assertEquals(200, call.get(10, TimeUnit.SECONDS).status());
                }
            }
        }
        // 10,000 streams in a few seconds, well within the 15 s request timeout: none may linger.
        long streams = caller.liveInstances("io.netty.handler.codec.http2.Http2MultiplexHandler$Http2MultiplexHandlerStreamChannel");
        assertTrue(streams < 200, streams + " HTTP/2 stream channels still on the heap after 10,000 finished streams");
    }

    @Test
    void manyIdleConnectionsKeepMemoryBounded() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 1500; i++) {
                Socket s = new Socket("127.0.0.91", 15001);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: web.hos".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            assertEquals(200, new MeshHttp("127.0.0.91").get("web.hostile.local", "/").statusCode());
            long rssKib = caller.residentKib();
            assertTrue(rssKib > 0 && rssKib < 320 * 1024, "resident " + rssKib + " KiB with 1,500 half-open requests");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        assertTrue(caller.isAlive());
    }

    @Test
    void anIdleKeepAliveConnectionSurvivesAConfigurationChange() throws Exception {
        try (Socket socket = new Socket("127.0.0.91", 15001)) {
            socket.setSoTimeout(5000);
            assertTrue(exchange(socket).startsWith("HTTP/1.1 200"));
            String before = new ProxyProcessStats("127.0.0.91").get("/server_info");
            appMesh.updateVirtualNode(r -> r.meshName("hostile").virtualNodeName("caller").spec(s -> s
                    .backends(b -> b.virtualService(v -> v.virtualServiceName("web.hostile.local")))
                    .logging(l -> l.accessLog(a -> a.file(f -> f.path("/dev/stdout"))))));
            MeshRoutingEndToEndTest.assertEventually(() -> {
                try {
                    assertNotEquals(before, new ProxyProcessStats("127.0.0.91").get("/server_info").replaceAll("\"uptimeSeconds\".*", ""));
                    assertNotEquals(version(before), version(new ProxyProcessStats("127.0.0.91").get("/server_info")));
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(exchange(socket).startsWith("HTTP/1.1 200"), "the same connection still works");
        }
    }

    private static String version(String serverInfo) {
        int at = serverInfo.indexOf("configVersion");
        return serverInfo.substring(at, serverInfo.indexOf(',', at));
    }

    private static String exchange(Socket socket) throws Exception {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: web.hostile.local\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        String headers = head.toString();
        int length = Integer.parseInt(headers.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        in.readNBytes(length);
        return headers;
    }

    private static void assertStatusThenClosed(String request, int status) throws Exception {
        try (Socket socket = new Socket("127.0.0.91", 15001)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 " + status), "expected " + status + ", got: "
                    + response.substring(0, Math.min(200, response.length())));
        }
    }
}
