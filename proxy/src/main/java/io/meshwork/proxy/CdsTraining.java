package io.meshwork.proxy;

import io.meshwork.proxy.listener.Transport;
import io.meshwork.proxy.settings.ProxySettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The class-data-sharing training run (proxy/pom.xml runs it at {@code package} under
 * {@code -XX:ArchiveClassesAtExit}): starts a proxy in local mode on free loopback ports with a
 * saved configuration and an unreachable control plane, sends HTTP/1.1 and HTTP/2 (h2c) requests
 * through its egress listener and reads its admin pages, then exits. The JVM then writes every
 * class this loaded (start-up, the control-plane login attempt, both request paths) into the
 * archive {@code packaging/bin/meshwork-proxy} maps at start, so a proxy loads them already
 * parsed and verified, from pages the operating system can share between proxies.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Files.createTempDirectory("meshwork-cds-training");
        try {
            train(dataDir);
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // Exit explicitly: the proxy's event loops are not daemon threads, and the archive is written at exit.
        System.exit(0);
    }

    private static void train(Path dataDir) throws Exception {
        int admin = freePort();
        int ingress = freePort();
        int egress = freePort();
        int listener = freePort();
        int unreachable = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("APPMESH_RESOURCE_ARN", "mesh/training/virtualNode/training");
        env.put("PROXY_MODE", "local");
        env.put("PROXY_LOCAL_ADDRESS", "127.0.0.1");
        env.put("PROXY_APP_ADDRESS", "127.0.0.1");
        env.put("PROXY_ADMIN_PORT", String.valueOf(admin));
        env.put("PROXY_INGRESS_PORT", String.valueOf(ingress));
        env.put("PROXY_EGRESS_PORT", String.valueOf(egress));
        env.put("PROXY_CONTROL_API_URL", "http://127.0.0.1:" + unreachable);
        env.put("PROXY_DATA_DIR", dataDir.toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("PROXY_LOG_LEVEL", "error");
        // The credential chain's first step, so that the login attempt never waits for EC2 instance metadata.
        System.setProperty("aws.accessKeyId", "MWKCDSTRAINING000001");
        System.setProperty("aws.secretAccessKey", "cds-training-not-a-secret");

        // HTTP/1.1 and h2 services, both leading to the admin port: enough to load routing, balancing,
        // the upstream pools and both codecs (the h2 one fails at the HTTP/1.1 server, after connecting).
        String snapshot = """
                {"version":"training","revision":1,"mesh":"training","resourceKind":"virtualNode","resourceName":"training",
                 "egressFilter":"DROP_ALL","listeners":[{"port":%1$d,"protocol":"http"}],
                 "services":[
                  {"name":"h1.training.local","ports":[{"port":%2$d,"protocol":"http","routes":[{"name":"implicit",
                   "priority":2147483647,"protocol":"http","targets":[{"cluster":"h1","port":%2$d,"weight":1}]}]}]},
                  {"name":"h2.training.local","ports":[{"port":%2$d,"protocol":"http2","routes":[{"name":"implicit",
                   "priority":2147483647,"protocol":"http2","targets":[{"cluster":"h2","port":%2$d,"weight":1}]}]}]}],
                 "clusters":[
                  {"name":"h1","listeners":[{"port":%2$d,"protocol":"http"}],
                   "discovery":{"type":"dns","hostname":"127.0.0.1","responseType":"LOADBALANCER"},"endpoints":[]},
                  {"name":"h2","listeners":[{"port":%2$d,"protocol":"http2"}],
                   "discovery":{"type":"dns","hostname":"127.0.0.1","responseType":"LOADBALANCER"},"endpoints":[]}],
                 "gateway":false}
                """.formatted(listener, admin);
        Path saved = ProxySettings.fromEnvironment(env).snapshotFile();
        Files.createDirectories(saved.getParent());
        Files.writeString(saved, snapshot);

        Thread proxy = new Thread(() -> {
            try {
                ProxyMain.run(env);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "cds-training-proxy");
        proxy.setDaemon(true);
        proxy.start();

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!exchange(admin, http1("/ready", "training")).startsWith("HTTP/1.1 200")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the training proxy did not become ready on 127.0.0.1:" + admin);
            }
            Thread.sleep(20);
        }
        for (int round = 0; round < 3; round++) {
            exchange(egress, http1("/", "h1.training.local"));
            h2(egress, "h2.training.local");
            exchange(admin, http1("/stats/prometheus", "training"));
            exchange(admin, http1("/stats", "training"));
            exchange(admin, http1("/clusters", "training"));
            exchange(admin, http1("/config_dump", "training"));
            exchange(admin, http1("/server_info", "training"));
        }
    }

    private static byte[] http1(String path, String host) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One h2c request with prior knowledge through Netty's HTTP/2 client on the proxy's own transport; the
     * answer is whatever the proxy says (the h2 upstream is an HTTP/1.1 server, so an error), within 2 s.
     */
    private static void h2(int port, String authority) throws InterruptedException {
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.group(1);
        try {
            Channel connection = new Bootstrap().group(group).channelFactory(transport.sockets())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    }).connect(InetAddress.getLoopbackAddress(), port).sync().channel();
            CountDownLatch answered = new CountDownLatch(1);
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Http2StreamFrame) {
                        answered.countDown();
                    }
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    answered.countDown(); // reset: an answer too
                }
            }).open().sync().getNow();
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("http").path("/")
                    .authority(authority), true));
            answered.await(2, TimeUnit.SECONDS);
            connection.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Sends {@code request} and reads what comes back until the server closes or goes quiet; empty when nothing listens. */
    private static String exchange(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            StringBuilder answer = new StringBuilder();
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (SocketTimeoutException e) {
                // a keep-alive answer: what came is the answer
            }
            return answer.toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
