package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.DefaultGatewayRouteRewrite;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualGatewayListener;
import software.amazon.awssdk.services.appmesh.model.VirtualGatewayPortProtocol;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A virtual gateway routing outside callers into the mesh (hostname matching, prefix, path and
 * host rewrites), and static stability: traffic keeps flowing with the control API gone, and a
 * proxy restarted while it is gone serves its saved configuration.
 */
class GatewayAndStabilityEndToEndTest {
    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static ProxyProcess gateway;
    private static ProxyProcess storeProxy;
    private static Path data;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName("gw"));
        for (String[] n : new String[][] {{"store", "72"}, {"blog", "73"}}) {
            appMesh.createVirtualNode(r -> r.meshName("gw").virtualNodeName(n[0]).spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8000).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname("127.0.0." + n[1])))));
            appMesh.createVirtualService(r -> r.meshName("gw").virtualServiceName(n[0] + ".gw.local")
                    .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName(n[0])))));
        }
        appMesh.createVirtualGateway(r -> r.meshName("gw").virtualGatewayName("edge").spec(s -> s.listeners(
                VirtualGatewayListener.builder().portMapping(p -> p.port(8088).protocol(VirtualGatewayPortProtocol.HTTP)).build())));
        appMesh.createGatewayRoute(r -> r.meshName("gw").virtualGatewayName("edge").gatewayRouteName("store").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/store/"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("store.gw.local")))))));
        appMesh.createGatewayRoute(r -> r.meshName("gw").virtualGatewayName("edge").gatewayRouteName("blog-host").spec(s -> s
                .priority(1).httpRoute(h -> h.match(m -> m.prefix("/").hostname(n -> n.suffix(".blog.example")))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("blog.gw.local")))
                                .rewrite(w -> w.hostname(x -> x.defaultTargetHostname(DefaultGatewayRouteRewrite.DISABLED)))))));
        appMesh.createGatewayRoute(r -> r.meshName("gw").virtualGatewayName("edge").gatewayRouteName("legacy").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/old/"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("store.gw.local")))
                                .rewrite(w -> w.prefix(x -> x.value("/v2/")))))));

        running.add(TestBackend.http("store", "127.0.1.72", 8000));
        running.add(TestBackend.http("blog", "127.0.1.73", 8000));
        data = Files.createTempDirectory("proxy-data-");
        storeProxy = ProxyProcess.start(plane, "mesh/gw/virtualNode/store", "127.0.0.72", "127.0.1.72", data, Map.of());
        ProxyProcess blogProxy = ProxyProcess.start(plane, "mesh/gw/virtualNode/blog", "127.0.0.73", "127.0.1.73", data, Map.of());
        gateway = ProxyProcess.start(plane, "mesh/gw/virtualGateway/edge", "127.0.0.71", "127.0.1.71", data, Map.of());
        running.add(storeProxy);
        running.add(blogProxy);
        running.add(gateway);
        storeProxy.awaitReady();
        blogProxy.awaitReady();
        gateway.awaitReady();
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
    void gatewayRoutesRewriteAsAppMeshDid() throws Exception {
        HttpResponse<String> store = get("/store/cart?id=7", "shop.example");
        assertEquals(200, store.statusCode(), store.body());
        assertEquals("store", store.headers().firstValue("x-backend").orElse(""));
        assertTrue(store.body().contains("GET /cart?id=7 host=store.gw.local"), "prefix to / and Host to the service: " + store.body());

        HttpResponse<String> blog = get("/posts/1", "www.blog.example");
        assertEquals("blog", blog.headers().firstValue("x-backend").orElse(""), "hostname suffix match");
        assertTrue(blog.body().contains("GET /posts/1 host=www.blog.example"), "Host kept when its rewrite is disabled: " + blog.body());

        HttpResponse<String> legacy = get("/old/items", "shop.example");
        assertTrue(legacy.body().contains("GET /v2/items "), "custom prefix rewrite: " + legacy.body());

        HttpResponse<String> none = get("/nothing", "shop.example");
        assertEquals(404, none.statusCode());
    }

    @Test
    void trafficContinuesWithoutTheControlPlaneAndARestartedProxyServesItsSavedConfiguration() throws Exception {
        assertEquals(200, get("/store/a", "shop.example").statusCode());
        plane.stopServer();
        try {
            for (int i = 0; i < 50; i++) {
                assertEquals(200, get("/store/" + i, "shop.example").statusCode(), "with the control API down");
            }
            gateway.kill();
            gateway = gateway.restart();
            running.add(gateway);
            gateway.awaitReady();
            HttpResponse<String> afterRestart = get("/store/after-restart", "shop.example");
            assertEquals(200, afterRestart.statusCode(), afterRestart.body() + gateway.output());
            assertTrue(gateway.output().contains("serving the saved configuration"), gateway.output());
        } finally {
            plane.startServer();
        }
        // And it picks the control plane up again: a new route reaches the restarted gateway.
        appMesh.createGatewayRoute(r -> r.meshName("gw").virtualGatewayName("edge").gatewayRouteName("late").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/late/"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("blog.gw.local")))))));
        MeshRoutingEndToEndTest.assertEventually(() -> {
            try {
                assertEquals("blog", get("/late/x", "shop.example").headers().firstValue("x-backend").orElse(""));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private HttpResponse<String> get(String path, String host) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.71:8088" + path)).header("Host", host).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
