package io.meshwork.controlapi.api;

import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.Stores;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.*;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Each App Mesh error class, as the AWS SDK for Java parses it, for the conditions that raise it. */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {Stores.H2, Stores.POSTGRES})
class ErrorResponsesTest {
    @Parameter
    String store;
    private static ControlApiServer server;
    private static AppMeshClient appMesh;

    @BeforeParameterizedClassInvocation
    static void start(String store) {
        server = ControlApiServer.start(Stores.settings(store, Map.of("control-api.quotas.virtual-nodes-per-mesh", 3)));
        appMesh = server.client();
        appMesh.createMesh(r -> r.meshName("errors"));
        appMesh.createVirtualNode(r -> r.meshName("errors").virtualNodeName("app").spec(s -> { }));
        appMesh.createVirtualRouter(r -> r.meshName("errors").virtualRouterName("router")
                .spec(s -> s.listeners(VirtualRouterListener.builder().portMapping(p -> p.port(80).protocol(PortProtocol.HTTP)).build())));
        appMesh.createRoute(r -> r.meshName("errors").virtualRouterName("router").routeName("r1")
                .spec(s -> s.httpRoute(h -> h.match(m -> m.prefix("/"))
                        .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("app").weight(1).build())))));
        appMesh.createVirtualService(r -> r.meshName("errors").virtualServiceName("app.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("app")))));
        appMesh.createVirtualService(r -> r.meshName("errors").virtualServiceName("routed.local")
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("router")))));
        appMesh.createVirtualGateway(r -> r.meshName("errors").virtualGatewayName("gw")
                .spec(s -> s.listeners(VirtualGatewayListener.builder()
                        .portMapping(p -> p.port(8080).protocol(VirtualGatewayPortProtocol.HTTP)).build())));
        appMesh.createGatewayRoute(r -> r.meshName("errors").virtualGatewayName("gw").gatewayRouteName("gr")
                .spec(s -> s.httpRoute(h -> h.match(m -> m.prefix("/"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("app.local")))))));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        appMesh.close();
        server.close();
    }

    @Test
    void missingResourcesAndParentsAreNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> appMesh.describeVirtualNode(r -> r.meshName("errors").virtualNodeName("ghost")));
        assertEquals(404, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains("VirtualNode with name ghost is not present under mesh errors"));
        assertThrows(NotFoundException.class, () -> appMesh.createVirtualNode(r -> r.meshName("no-such-mesh")
                .virtualNodeName("x").spec(s -> { })));
        assertThrows(NotFoundException.class, () -> appMesh.createRoute(r -> r.meshName("errors").virtualRouterName("no-router")
                .routeName("x").spec(s -> s.tcpRoute(t -> t.action(a -> a.weightedTargets(
                        WeightedTarget.builder().virtualNode("app").weight(1).build()))))));
        assertThrows(NotFoundException.class, () -> appMesh.listRoutes(r -> r.meshName("errors").virtualRouterName("no-router")));
        assertThrows(NotFoundException.class, () -> appMesh.listVirtualNodes(r -> r.meshName("no-such-mesh")));
        assertThrows(NotFoundException.class, () -> appMesh.deleteVirtualService(r -> r.meshName("errors").virtualServiceName("nope")));
        assertThrows(NotFoundException.class, () -> appMesh.updateMesh(r -> r.meshName("nope")));
    }

    @Test
    void referencesToMissingResourcesAreNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class, () -> appMesh.createVirtualService(r -> r.meshName("errors")
                .virtualServiceName("dangling.local").spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("ghost"))))));
        assertTrue(e.getMessage().contains("VirtualNode with name ghost"), e.getMessage());
        assertThrows(NotFoundException.class, () -> appMesh.createRoute(r -> r.meshName("errors").virtualRouterName("router")
                .routeName("dangling").spec(s -> s.httpRoute(h -> h.match(m -> m.prefix("/x"))
                        .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("ghost").weight(1).build()))))));
        assertThrows(NotFoundException.class, () -> appMesh.createGatewayRoute(r -> r.meshName("errors").virtualGatewayName("gw")
                .gatewayRouteName("dangling").spec(s -> s.httpRoute(h -> h.match(m -> m.prefix("/x"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("ghost.local"))))))));
        assertThrows(NotFoundException.class, () -> appMesh.describeVirtualService(r -> r.meshName("errors")
                .virtualServiceName("dangling.local")), "a refused create leaves nothing behind");
    }

    @Test
    void duplicateNamesConflict() {
        ConflictException e = assertThrows(ConflictException.class,
                () -> appMesh.createVirtualNode(r -> r.meshName("errors").virtualNodeName("app").spec(s -> { })));
        assertEquals(409, e.statusCode());
        assertThrows(ConflictException.class, () -> appMesh.createMesh(r -> r.meshName("errors")));
        assertEquals(1L, appMesh.describeVirtualNode(r -> r.meshName("errors").virtualNodeName("app"))
                .virtualNode().metadata().version(), "the original is untouched");
    }

    @Test
    void deletingWhatIsStillInUseIsResourceInUse() {
        assertInUse(() -> appMesh.deleteMesh(r -> r.meshName("errors")), "virtualNodes");
        assertInUse(() -> appMesh.deleteVirtualNode(r -> r.meshName("errors").virtualNodeName("app")), "VirtualService with name app.local");
        assertInUse(() -> appMesh.deleteVirtualRouter(r -> r.meshName("errors").virtualRouterName("router")), "1 routes");
        assertInUse(() -> appMesh.deleteVirtualGateway(r -> r.meshName("errors").virtualGatewayName("gw")), "1 gatewayRoutes");
        assertInUse(() -> appMesh.deleteVirtualService(r -> r.meshName("errors").virtualServiceName("app.local")),
                "GatewayRoute with name gr");
        // A node targeted only by a route is in use too.
        appMesh.createVirtualNode(r -> r.meshName("errors").virtualNodeName("target-only").spec(s -> { }));
        appMesh.createRoute(r -> r.meshName("errors").virtualRouterName("router").routeName("to-target")
                .spec(s -> s.priority(5).httpRoute(h -> h.match(m -> m.prefix("/t"))
                        .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("target-only").weight(1).build())))));
        assertInUse(() -> appMesh.deleteVirtualNode(r -> r.meshName("errors").virtualNodeName("target-only")),
                "Route with name to-target");
        appMesh.deleteRoute(r -> r.meshName("errors").virtualRouterName("router").routeName("to-target"));
        appMesh.deleteVirtualNode(r -> r.meshName("errors").virtualNodeName("target-only"));
    }

    @Test
    void quotasAreLimitExceeded() {
        appMesh.createMesh(r -> r.meshName("quota"));
        for (int i = 0; i < 3; i++) {
            int n = i;
            appMesh.createVirtualNode(r -> r.meshName("quota").virtualNodeName("n" + n).spec(s -> { }));
        }
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> appMesh.createVirtualNode(r -> r.meshName("quota").virtualNodeName("n3").spec(s -> { })));
        assertEquals(400, e.statusCode());
        assertEquals(3, appMesh.listVirtualNodes(r -> r.meshName("quota")).virtualNodes().size());
    }

    @Test
    void invalidSpecsAreBadRequestAndChangeNothing() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> appMesh.updateVirtualNode(r -> r.meshName("errors")
                .virtualNodeName("app").spec(s -> s.listeners(Listener.builder()
                        .portMapping(p -> p.port(70000).protocol(PortProtocol.HTTP)).build())
                        .serviceDiscovery(d -> d.dns(dns -> dns.hostname("app.local"))))));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("spec.listeners[0].portMapping.port"), e.getMessage());
        assertEquals(1L, appMesh.describeVirtualNode(r -> r.meshName("errors").virtualNodeName("app"))
                .virtualNode().metadata().version());
    }

    private static void assertInUse(Runnable call, String mentions) {
        ResourceInUseException e = assertThrows(ResourceInUseException.class, call::run);
        assertEquals(409, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains(mentions), e.awsErrorDetails().errorMessage());
    }
}
