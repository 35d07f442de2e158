package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.HostileApp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.Running;
import io.meshwork.proxy.support.TestBackend;
import io.meshwork.proxy.support.WireHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.DurationUnit;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Apps that answer what no HTTP client should accept, behind real proxies: the caller gets a
 * 502 with flag UPE (or, once an answer has begun, a connection that breaks), never a status the
 * app did not send or one outside 100–599, and the access log says why. With a retry policy
 * naming gateway errors, the caller does not notice a broken instance at all.
 */
class HostileUpstreamEndToEndTest {
    private static final String MESH = "hostileup";
    private static final String BAD = "bad.hostileup.local";
    private static final String PAIR = "pair.hostileup.local";

    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static final Running running = new Running();
    private static final WireHttpClient http = new WireHttpClient("127.0.0.150", 15001);
    private static Path accessLog;

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start();
        appMesh = plane.client();
        accessLog = Files.createTempFile("bad-access-", ".log");
        appMesh.createMesh(r -> r.meshName(MESH));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("bad").spec(s -> s
                .listeners(l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("127.0.0.151")))
                .logging(g -> g.accessLog(a -> a.file(f -> f.path(accessLog.toString()))))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(BAD)
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("bad")))));
        // Two instances of one node: one broken, one fine; a router whose route retries gateway errors.
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("pair").spec(s -> s
                .listeners(l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))
                .serviceDiscovery(d -> d.awsCloudMap(c -> c.namespaceName("hostileup.local").serviceName("pair")))));
        appMesh.createVirtualRouter(r -> r.meshName(MESH).virtualRouterName("pair").spec(s -> s.listeners(
                l -> l.portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)))));
        appMesh.createRoute(r -> r.meshName(MESH).virtualRouterName("pair").routeName("all").spec(s -> s.httpRoute(h -> h
                .match(m -> m.prefix("/"))
                .action(a -> a.weightedTargets(t -> t.virtualNode("pair").weight(1)))
                .retryPolicy(p -> p.maxRetries(2L).perRetryTimeout(d -> d.unit(DurationUnit.MS).value(2000L))
                        .httpRetryEvents("gateway-error")))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(PAIR)
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("pair")))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("caller").spec(s -> s.backends(
                b -> b.virtualService(v -> v.virtualServiceName(BAD)), b -> b.virtualService(v -> v.virtualServiceName(PAIR)))));

        running.add(HostileApp.start("127.0.1.151", 8080));
        running.add(HostileApp.start("127.0.1.152", 8080).answeringEverything(HostileApp.ANSWERS.get("/garbage")));
        running.add(TestBackend.http("pair-good", "127.0.1.153", 8080));
        Path data = Files.createTempDirectory("proxy-data-");
        List<ProxyProcess> proxies = List.of(
                ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/bad", "127.0.0.151", "127.0.1.151", data, Map.of()),
                ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/pair", "127.0.0.152", "127.0.1.152", data, Map.of()),
                ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/pair", "127.0.0.153", "127.0.1.153", data, Map.of()),
                ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/caller", "127.0.0.150", "127.0.1.150", data, Map.of()));
        proxies.forEach(running::add);
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
    void anAnswerThatCannotBeDecodedIsA502WithFlagUpeNeverAnInventedStatus() throws Exception {
        for (String path : List.of("/garbage", "/bad-status", "/status-999", "/huge-headers", "/switch", "/close-mid-headers")) {
            WireHttpClient.Reply reply = http.get(BAD, path);
            assertEquals(502, reply.status(), path + ": " + reply);
            assertEquals("UPE", reply.headers().get("x-meshwork-flags"), path + ": " + reply.headers());
        }
        eventually(java.time.Duration.ofSeconds(5), () -> {
            String log = Files.readString(accessLog);
            assertTrue(log.contains("\"GET /garbage HTTP/1.1\" 502 UPE"), log);
            assertTrue(log.contains("\"GET /status-999 HTTP/1.1\" 502 UPE"), log);
        });
        assertEquals(200, http.get(BAD, "/fine").status(), "the proxy and the caller's connection are fine afterwards");
    }

    @Test
    void interimAnswersArePassedOverAndTheFinalAnswerArrives() {
        WireHttpClient.Reply reply = http.get(BAD, "/continue-then-ok");
        assertEquals(200, reply.status());
        assertEquals("yes", reply.body());
    }

    @Test
    void anAnswerThatBreaksAfterItBeganBreaksForTheCallerToo() throws Exception {
        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> http.get(BAD, "/truncated"));
        assertTrue(broken.getMessage().contains("body ended after") || broken.getMessage().contains("connection closed"),
                broken.getMessage());
        eventually(java.time.Duration.ofSeconds(5), () -> assertTrue(Files.readString(accessLog).contains("\"GET /truncated HTTP/1.1\" 200 UC"),
                Files.readString(accessLog)));
        assertEquals(200, http.get(BAD, "/fine").status());
    }

    @Test
    void aRetryPolicyNamingGatewayErrorsHidesABrokenInstance() {
        int good = 0;
        for (int i = 0; i < 40; i++) {
            WireHttpClient.Reply reply = http.get(PAIR, "/");
            assertEquals(200, reply.status(), reply.toString());
            good += "pair-good".equals(reply.headers().get("x-backend")) ? 1 : 0;
        }
        assertEquals(40, good, "every answer came from the instance that works");
    }
}
