package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.H2Client;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Backend;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterListener;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** HTTP/2, gRPC (trailers included), HTTP/1.1 ↔ HTTP/2 translation and TCP, through two proxies each. */
class ProtocolsEndToEndTest {
    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName("proto"));
        node("grpc-svc", 7000, PortProtocol.GRPC, "127.0.0.62", List.of());
        node("h2-svc", 7100, PortProtocol.HTTP2, "127.0.0.63", List.of());
        node("tcp-svc", 7200, PortProtocol.TCP, "127.0.0.64", List.of());
        node("web-svc", 7300, PortProtocol.HTTP, "127.0.0.65", List.of());
        node("client", 8080, PortProtocol.HTTP, "127.0.0.61",
                List.of("grpc.proto.local", "h2.proto.local", "tcp.proto.local", "web.proto.local"));
        appMesh.createVirtualRouter(r -> r.meshName("proto").virtualRouterName("grpc").spec(s -> s.listeners(
                VirtualRouterListener.builder().portMapping(p -> p.port(7000).protocol(PortProtocol.GRPC)).build())));
        appMesh.createRoute(r -> r.meshName("proto").virtualRouterName("grpc").routeName("hello").spec(s -> s.grpcRoute(g -> g
                .match(m -> m.serviceName("pkg.Greeter").methodName("Hello"))
                .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("grpc-svc").weight(1).build())))));
        appMesh.createVirtualRouter(r -> r.meshName("proto").virtualRouterName("tcp").spec(s -> s.listeners(
                VirtualRouterListener.builder().portMapping(p -> p.port(7200).protocol(PortProtocol.TCP)).build())));
        appMesh.createRoute(r -> r.meshName("proto").virtualRouterName("tcp").routeName("all").spec(s -> s.tcpRoute(t -> t
                .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("tcp-svc").weight(1).build())))));
        service("grpc.proto.local", "grpc", null);
        service("tcp.proto.local", "tcp", null);
        service("h2.proto.local", null, "h2-svc");
        service("web.proto.local", null, "web-svc");

        running.add(TestBackend.http("grpc-svc", "127.0.1.62", 7000));
        running.add(TestBackend.http("h2-svc", "127.0.1.63", 7100));
        running.add(TestBackend.tcpEcho("tcp-svc", "127.0.1.64", 7200));
        running.add(TestBackend.http("web-svc", "127.0.1.65", 7300));
        Path data = Files.createTempDirectory("proxy-data-");
        List<ProxyProcess> proxies = new ArrayList<>();
        for (String[] p : new String[][] {{"grpc-svc", "62"}, {"h2-svc", "63"}, {"tcp-svc", "64"}, {"web-svc", "65"}, {"client", "61"}}) {
            proxies.add(ProxyProcess.start(plane, "mesh/proto/virtualNode/" + p[0], "127.0.0." + p[1], "127.0.1." + p[1], data, Map.of()));
        }
        running.addAll(proxies);
        proxies.forEach(ProxyProcess::awaitReady);
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
    void grpcCallsKeepTheirTrailersEndToEnd() throws Exception {
        try (H2Client client = new H2Client("127.0.0.61", 15001)) {
            byte[] message = {0, 0, 0, 0, 3, 'h', 'e', 'y'};
            H2Client.Response r = client.send("POST", "grpc.proto.local:7000", "/pkg.Greeter/Hello",
                    Map.of("content-type", "application/grpc", "te", "trailers"), message);
            assertEquals(200, r.status());
            assertEquals("grpc-svc", r.headers().get("x-backend"));
            assertEquals("0", r.trailers().get("grpc-status"), "trailers: " + r.trailers());
            assertEquals("served by grpc-svc", r.trailers().get("grpc-message"));
            assertEquals("\0\0\0\0\3hey", r.body());

            H2Client.Response other = client.send("POST", "grpc.proto.local:7000", "/pkg.Greeter/Goodbye",
                    Map.of("content-type", "application/grpc"), message);
            assertEquals(200, other.status(), "gRPC callers get gRPC answers");
            assertEquals("12", other.headers().get("grpc-status"), "no route for another method: UNIMPLEMENTED");
            assertEquals("NR", other.headers().get("x-meshwork-flags"));
        }
    }

    @Test
    void aGrpcCallersDeadlineBoundsTheCall() throws Exception {
        try (H2Client client = new H2Client("127.0.0.61", 15001)) {
            byte[] message = {0, 0, 0, 0, 0};
            long started = System.nanoTime();
            H2Client.Response r = client.send("POST", "grpc.proto.local:7000", "/pkg.Greeter/Hello",
                    Map.of("content-type", "application/grpc", "te", "trailers", "grpc-timeout", "300m", "x-delay-ms", "3000"),
                    message);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals("4", r.headers().get("grpc-status"), "DEADLINE_EXCEEDED: " + r.headers());
            assertTrue(millis >= 290 && millis < 1500, "answered after " + millis + " ms for a 300 ms deadline (route: 15 s)");
        }
    }

    @Test
    void http1ClientsReachHttp2ServicesAndHttp2ClientsReachHttp1Services() throws Exception {
        MeshHttp h1 = new MeshHttp("127.0.0.61");
        HttpResponse<String> toH2 = h1.get("h2.proto.local", "/from-h1");
        assertEquals(200, toH2.statusCode(), toH2.body());
        assertTrue(toH2.body().contains("h2-svc GET /from-h1") && toH2.body().contains("proto=h2"), toH2.body());
        // Netty's HTTP/2 conversion notes the stream id and scheme as x-http2-* headers: they stay inside the proxy.
        assertEquals(java.util.Optional.empty(), toH2.headers().firstValue("x-http2-stream-id"), toH2.headers().toString());

        try (H2Client h2 = new H2Client("127.0.0.61", 15001)) {
            H2Client.Response toH1 = h2.send("POST", "web.proto.local", "/from-h2", Map.of(), "0123456789".getBytes(StandardCharsets.UTF_8));
            assertEquals(200, toH1.status());
            assertTrue(toH1.body().contains("web-svc POST /from-h2") && toH1.body().contains("proto=h1")
                    && toH1.body().contains("bytes=10"), toH1.body());
            assertFalse(toH1.headers().get("x-seen-headers").contains("x-http2"), "what the HTTP/1.1 app received: " + toH1.headers());
            // Many concurrent streams on one connection.
            List<java.util.concurrent.CompletableFuture<H2Client.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return h2.send("GET", "h2.proto.local", "/stream/" + n, Map.of(), null);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (int i = 0; i < calls.size(); i++) {
                H2Client.Response r = calls.get(i).get();
                assertEquals(200, r.status());
                assertTrue(r.body().contains("/stream/" + i + " "), r.body());
            }
        }
    }

    @Test
    void tcpServicesRelayBytesBothWays() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.61", 7200), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] payload = new byte[100_000];
            new java.util.Random(7).nextBytes(payload);
            Thread writer = new Thread(() -> {
                try {
                    out.write(payload);
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            byte[] echoed = in.readNBytes(payload.length);
            writer.join();
            assertArrayEquals(payload, echoed);
        }
    }

    private static void node(String name, int port, PortProtocol protocol, String address, List<String> backends) {
        appMesh.createVirtualNode(r -> r.meshName("proto").virtualNodeName(name).spec(s -> {
            s.listeners(Listener.builder().portMapping(p -> p.port(port).protocol(protocol)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname(address)));
            if (!backends.isEmpty()) {
                s.backends(backends.stream().map(b -> Backend.builder().virtualService(v -> v.virtualServiceName(b)).build()).toList());
            }
        }));
    }

    private static void service(String name, String router, String node) {
        appMesh.createVirtualService(r -> r.meshName("proto").virtualServiceName(name).spec(s -> s.provider(p -> {
            if (router != null) {
                p.virtualRouter(v -> v.virtualRouterName(router));
            } else {
                p.virtualNode(v -> v.virtualNodeName(node));
            }
        })));
    }
}
