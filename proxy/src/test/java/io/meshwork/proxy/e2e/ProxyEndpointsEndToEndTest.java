package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Several proxies of one virtual node, each on its own loopback address, are several instances
 * of it; one that dies stops being an endpoint once its registration expires.
 */
class ProxyEndpointsEndToEndTest {
    @Test
    void proxiesOfOneNodeAreItsInstancesAndADeadOneDropsOut() throws Exception {
        try (ControlPlane plane = ControlPlane.start(Map.of("control-api.proxy-registration-ttl", "2s"));
             AppMeshClient appMesh = plane.client();
             TestBackend a = TestBackend.http("instance-a", "127.0.1.82", 8000);
             TestBackend b = TestBackend.http("instance-b", "127.0.1.83", 8000)) {
            appMesh.createMesh(r -> r.meshName("ep"));
            // Discovered only through the control plane: endpoints are the registered proxies.
            appMesh.createVirtualNode(r -> r.meshName("ep").virtualNodeName("svc").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8000).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.awsCloudMap(c -> c.namespaceName("ep.local").serviceName("svc")))));
            appMesh.createVirtualService(r -> r.meshName("ep").virtualServiceName("svc.ep.local")
                    .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("svc")))));
            appMesh.createVirtualNode(r -> r.meshName("ep").virtualNodeName("caller").spec(s -> s
                    .backends(x -> x.virtualService(v -> v.virtualServiceName("svc.ep.local")))));
            Path data = Files.createTempDirectory("proxy-data-");
            try (ProxyProcess pa = ProxyProcess.start(plane, "mesh/ep/virtualNode/svc", "127.0.0.82", "127.0.1.82", data, Map.of());
                 ProxyProcess pb = ProxyProcess.start(plane, "mesh/ep/virtualNode/svc", "127.0.0.83", "127.0.1.83", data, Map.of());
                 ProxyProcess caller = ProxyProcess.start(plane, "mesh/ep/virtualNode/caller", "127.0.0.81", "127.0.1.81", data, Map.of())) {
                pa.awaitReady();
                pb.awaitReady();
                caller.awaitReady();
                MeshHttp http = new MeshHttp("127.0.0.81");
                MeshRoutingEndToEndTest.assertEventually(() -> {
                    Set<String> seen = new HashSet<>();
                    for (int i = 0; i < 10; i++) {
                        seen.add(MeshHttp.backend(http.get("svc.ep.local", "/")));
                    }
                    assertEquals(Set.of("instance-a", "instance-b"), seen, "both proxies are instances");
                });

                pb.kill();
                MeshRoutingEndToEndTest.assertEventually(() -> {
                    try {
                        String clusters = new ProxyProcessStats("127.0.0.81").get("/clusters");
                        assertFalse(clusters.contains("127.0.0.83"), clusters);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
                for (int i = 0; i < 20; i++) {
                    var response = http.get("svc.ep.local", "/");
                    assertEquals(200, response.statusCode());
                    assertEquals("instance-a", MeshHttp.backend(response));
                }
            }
        }
    }
}
