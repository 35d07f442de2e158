package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.Load;
import io.meshwork.proxy.support.WireHttpClient;
import io.meshwork.proxy.support.ProcessBackend;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.Running;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hops to apps that are not ours, as a new user meets them: a client's proxy calls a node
 * served by three proxies, each in front of a small Python {@code http.server} app (keep-alive,
 * headers and body in separate writes, no chunked request bodies), and a node served by nginx.
 * Every request must come back 2xx: a proxy that frames a request wrongly, or reuses a
 * connection the app has given up on, shows here as a few failures in thousands.
 */
class RealBackendsEndToEndTest {
    private static final String MESH = "realapps";
    private static final String PYTHON = "py.realapps.local";
    private static final String NGINX = "ng.realapps.local";
    private static final String[] PY_INSTANCES = {"127.0.0.131", "127.0.0.132", "127.0.0.133"};
    private static final String[] NG_INSTANCES = {"127.0.0.134", "127.0.0.135"};
    private static final int REQUESTS = 20_000;

    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static final Running running = new Running();
    private static final WireHttpClient http = new WireHttpClient("127.0.0.130", 15001);

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName(MESH));
        node("py", PY_INSTANCES[0]);
        node("ng", NG_INSTANCES[0]);
        service(PYTHON, "py");
        service(NGINX, "ng");
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("client").spec(s -> s.backends(
                b -> b.virtualService(v -> v.virtualServiceName(PYTHON)), b -> b.virtualService(v -> v.virtualServiceName(NGINX)))));
        Path data = Files.createTempDirectory("proxy-data-");
        List<ProxyProcess> proxies = new ArrayList<>();
        for (String instance : PY_INSTANCES) {
            running.add(ProcessBackend.python("py-" + instance, app(instance), 8080));
            proxies.add(ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/py", instance, app(instance), data, Map.of()));
        }
        if (ProcessBackend.nginxInstalled()) {
            running.add(ProcessBackend.nginx(List.of(app(NG_INSTANCES[0]), app(NG_INSTANCES[1])), 8080));
            for (String instance : NG_INSTANCES) {
                proxies.add(ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/ng", instance, app(instance), data, Map.of()));
            }
        }
        proxies.add(ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/client", "127.0.0.130", "127.0.1.130", data, Map.of()));
        proxies.forEach(running::add);
        // Every instance registered and every proxy running the configuration that includes them.
        plane.awaitReady(MESH, proxies);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        running.close();
        appMesh.close();
        plane.close();
    }

    @Test
    void twentyThousandRequestsToPythonAppsThroughTwoProxiesAreAllAnswered() throws Exception {
        Load.Result gets = Load.run(16, REQUESTS, () -> Load.Reply.of(http.get(PYTHON, "/items?n=1")));
        assertEquals(0, gets.non2xx(), gets.toString());
        // Bodies cross both hops framed as the app can read them (the length it was sent with).
        Load.Result posts = Load.run(8, 2_000, () -> Load.Reply.of(http.send("POST", PYTHON, "/orders", "{\"id\":42}")));
        assertEquals(0, posts.non2xx(), posts.toString());
        assertTrue(http.send("POST", PYTHON, "/orders", "{\"id\":42}").body().endsWith("POST /orders bytes=9\n"));
    }

    @Test
    void twentyThousandRequestsToNginxThroughTwoProxiesAreAllAnswered() throws Exception {
        assumeTrue(ProcessBackend.nginxInstalled(), "nginx is not installed (apt-get install nginx; .ci/run does)");
        Load.Result gets = Load.run(16, REQUESTS, () -> Load.Reply.of(http.get(NGINX, "/items?n=1")));
        assertEquals(0, gets.non2xx(), gets.toString());
    }

    private static String app(String instance) {
        return instance.replace("127.0.0.", "127.0.1.");
    }

    private static void node(String name, String hostname) {
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName(name).spec(s -> s
                .listeners(l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname(hostname)))));
    }

    private static void service(String name, String node) {
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(name)
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName(node)))));
    }
}
