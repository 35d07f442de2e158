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

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Every resource kind through the real AWS SDK: create, describe, update, list, delete. */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {Stores.H2, Stores.POSTGRES})
class ResourceLifecycleTest {
    @Parameter
    String store;
    private static ControlApiServer server;
    private static AppMeshClient appMesh;

    @BeforeParameterizedClassInvocation
    static void start(String store) {
        server = ControlApiServer.start(Stores.settings(store, Map.of()));
        appMesh = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        appMesh.close();
        server.close();
    }

    @Test
    void meshCarriesAppMeshMetadataThroughItsLifecycle() {
        Instant before = Instant.now().minusSeconds(1);
        MeshData created = appMesh.createMesh(r -> r.meshName("lifecycle")
                .spec(s -> s.egressFilter(f -> f.type(EgressFilterType.ALLOW_ALL)))
                .tags(TagRef.builder().key("team").value("a").build())).mesh();
        assertEquals("lifecycle", created.meshName());
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/lifecycle", created.metadata().arn());
        assertEquals(1L, created.metadata().version());
        assertEquals("000000000000", created.metadata().meshOwner());
        assertEquals("000000000000", created.metadata().resourceOwner());
        assertFalse(created.metadata().uid().isEmpty());
        assertTrue(created.metadata().createdAt().isAfter(before));
        assertEquals(created.metadata().createdAt(), created.metadata().lastUpdatedAt());
        assertEquals(MeshStatusCode.ACTIVE, created.status().status());
        assertEquals(EgressFilterType.ALLOW_ALL, created.spec().egressFilter().type());

        MeshData updated = appMesh.updateMesh(r -> r.meshName("lifecycle")
                .spec(s -> s.egressFilter(f -> f.type(EgressFilterType.DROP_ALL)))).mesh();
        assertEquals(2L, updated.metadata().version());
        assertEquals(created.metadata().uid(), updated.metadata().uid());
        assertEquals(created.metadata().createdAt(), updated.metadata().createdAt());
        assertFalse(updated.metadata().lastUpdatedAt().isBefore(created.metadata().lastUpdatedAt()));

        MeshData described = appMesh.describeMesh(r -> r.meshName("lifecycle")).mesh();
        assertEquals(updated, described);

        assertEquals(List.of(TagRef.builder().key("team").value("a").build()),
                appMesh.listTagsForResource(r -> r.resourceArn(created.metadata().arn())).tags());

        MeshData deleted = appMesh.deleteMesh(r -> r.meshName("lifecycle")).mesh();
        assertEquals(MeshStatusCode.DELETED, deleted.status().status());
        assertEquals(3L, deleted.metadata().version());
        assertThrows(NotFoundException.class, () -> appMesh.describeMesh(r -> r.meshName("lifecycle")));
    }

    @Test
    void meshWithoutSpecGetsAppMeshDefaultEgressFilter() {
        MeshData mesh = appMesh.createMesh(r -> r.meshName("defaults")).mesh();
        assertEquals(EgressFilterType.DROP_ALL, mesh.spec().egressFilter().type());
        appMesh.deleteMesh(r -> r.meshName("defaults"));
    }

    @Test
    void everyKindCanBeCreatedDescribedUpdatedListedAndDeleted() {
        String mesh = "kinds";
        appMesh.createMesh(r -> r.meshName(mesh));

        VirtualNodeData node = appMesh.createVirtualNode(r -> r.meshName(mesh).virtualNodeName("backend-v1")
                .spec(s -> s.listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                        .serviceDiscovery(d -> d.dns(dns -> dns.hostname("backend.local"))))).virtualNode();
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/kinds/virtualNode/backend-v1", node.metadata().arn());
        assertEquals("backend.local", node.spec().serviceDiscovery().dns().hostname());

        VirtualRouterData router = appMesh.createVirtualRouter(r -> r.meshName(mesh).virtualRouterName("backend-router")
                .spec(s -> s.listeners(VirtualRouterListener.builder()
                        .portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build()))).virtualRouter();
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/kinds/virtualRouter/backend-router", router.metadata().arn());

        RouteData route = appMesh.createRoute(r -> r.meshName(mesh).virtualRouterName("backend-router").routeName("all")
                .spec(s -> s.httpRoute(h -> h.match(m -> m.prefix("/"))
                        .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("backend-v1").weight(100).build()))))).route();
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/kinds/virtualRouter/backend-router/route/all",
                route.metadata().arn());
        assertEquals("backend-router", route.virtualRouterName());

        VirtualServiceData service = appMesh.createVirtualService(r -> r.meshName(mesh)
                .virtualServiceName("backend.kinds.local")
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("backend-router"))))).virtualService();
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/kinds/virtualService/backend.kinds.local",
                service.metadata().arn());

        VirtualGatewayData gateway = appMesh.createVirtualGateway(r -> r.meshName(mesh).virtualGatewayName("ingress")
                .spec(s -> s.listeners(VirtualGatewayListener.builder()
                        .portMapping(p -> p.port(9080).protocol(VirtualGatewayPortProtocol.HTTP)).build()))).virtualGateway();
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/kinds/virtualGateway/ingress", gateway.metadata().arn());

        GatewayRouteData gatewayRoute = appMesh.createGatewayRoute(r -> r.meshName(mesh).virtualGatewayName("ingress")
                .gatewayRouteName("to-backend")
                .spec(s -> s.httpRoute(h -> h.match(m -> m.prefix("/backend/"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("backend.kinds.local"))))))).gatewayRoute();
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/kinds/virtualGateway/ingress/gatewayRoute/to-backend",
                gatewayRoute.metadata().arn());

        // Update replaces the whole spec and bumps the version.
        RouteData updatedRoute = appMesh.updateRoute(r -> r.meshName(mesh).virtualRouterName("backend-router").routeName("all")
                .spec(s -> s.priority(10).httpRoute(h -> h.match(m -> m.prefix("/api"))
                        .action(a -> a.weightedTargets(WeightedTarget.builder().virtualNode("backend-v1").weight(1).build()))))).route();
        assertEquals(2L, updatedRoute.metadata().version());
        assertEquals("/api", updatedRoute.spec().httpRoute().match().prefix());
        assertEquals(10, updatedRoute.spec().priority());

        VirtualNodeData updatedNode = appMesh.updateVirtualNode(r -> r.meshName(mesh).virtualNodeName("backend-v1")
                .spec(s -> s.listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                        .serviceDiscovery(d -> d.dns(dns -> dns.hostname("backend-v1.local"))))).virtualNode();
        assertEquals(2L, updatedNode.metadata().version());
        VirtualRouterData updatedRouter = appMesh.updateVirtualRouter(r -> r.meshName(mesh).virtualRouterName("backend-router")
                .spec(s -> s.listeners(VirtualRouterListener.builder()
                        .portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP2)).build()))).virtualRouter();
        assertEquals(PortProtocol.HTTP2, updatedRouter.spec().listeners().get(0).portMapping().protocol());
        VirtualServiceData updatedService = appMesh.updateVirtualService(r -> r.meshName(mesh)
                .virtualServiceName("backend.kinds.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("backend-v1"))))).virtualService();
        assertEquals("backend-v1", updatedService.spec().provider().virtualNode().virtualNodeName());
        VirtualGatewayData updatedGateway = appMesh.updateVirtualGateway(r -> r.meshName(mesh).virtualGatewayName("ingress")
                .spec(s -> s.listeners(VirtualGatewayListener.builder()
                        .portMapping(p -> p.port(9443).protocol(VirtualGatewayPortProtocol.HTTP2)).build()))).virtualGateway();
        assertEquals(9443, updatedGateway.spec().listeners().get(0).portMapping().port());
        GatewayRouteData updatedGatewayRoute = appMesh.updateGatewayRoute(r -> r.meshName(mesh).virtualGatewayName("ingress")
                .gatewayRouteName("to-backend").spec(s -> s.priority(3).httpRoute(h -> h.match(m -> m.prefix("/b/"))
                        .action(a -> a.target(t -> t.virtualService(v -> v.virtualServiceName("backend.kinds.local"))))))).gatewayRoute();
        assertEquals(2L, updatedGatewayRoute.metadata().version());
        assertEquals("/b/", updatedGatewayRoute.spec().httpRoute().match().prefix());

        assertEquals(List.of("backend-v1"), appMesh.listVirtualNodes(r -> r.meshName(mesh)).virtualNodes().stream()
                .map(VirtualNodeRef::virtualNodeName).toList());
        assertEquals(List.of("all"), appMesh.listRoutes(r -> r.meshName(mesh).virtualRouterName("backend-router")).routes()
                .stream().map(RouteRef::routeName).toList());
        assertEquals("backend-router", appMesh.listRoutes(r -> r.meshName(mesh).virtualRouterName("backend-router"))
                .routes().get(0).virtualRouterName());
        assertEquals(List.of("to-backend"), appMesh.listGatewayRoutes(r -> r.meshName(mesh).virtualGatewayName("ingress"))
                .gatewayRoutes().stream().map(GatewayRouteRef::gatewayRouteName).toList());
        assertEquals(1, appMesh.listVirtualServices(r -> r.meshName(mesh)).virtualServices().size());
        assertEquals(1, appMesh.listVirtualRouters(r -> r.meshName(mesh)).virtualRouters().size());
        assertEquals(1, appMesh.listVirtualGateways(r -> r.meshName(mesh)).virtualGateways().size());

        assertEquals(updatedNode, appMesh.describeVirtualNode(r -> r.meshName(mesh).virtualNodeName("backend-v1")).virtualNode());
        assertEquals(updatedService, appMesh.describeVirtualService(r -> r.meshName(mesh)
                .virtualServiceName("backend.kinds.local")).virtualService());
        assertEquals(updatedGateway, appMesh.describeVirtualGateway(r -> r.meshName(mesh).virtualGatewayName("ingress")).virtualGateway());
        assertEquals(updatedGatewayRoute, appMesh.describeGatewayRoute(r -> r.meshName(mesh).virtualGatewayName("ingress")
                .gatewayRouteName("to-backend")).gatewayRoute());
        assertEquals(updatedRouter, appMesh.describeVirtualRouter(r -> r.meshName(mesh).virtualRouterName("backend-router")).virtualRouter());
        assertEquals(node.metadata().uid(), updatedNode.metadata().uid());
        assertEquals(service.metadata().createdAt(), updatedService.metadata().createdAt());
        assertEquals(gateway.metadata().arn(), updatedGateway.metadata().arn());
        assertEquals(gatewayRoute.metadata().uid(), updatedGatewayRoute.metadata().uid());
        assertEquals(router.metadata().version() + 1, updatedRouter.metadata().version());

        // Deleting in dependency order works; each answers DELETED.
        assertEquals(GatewayRouteStatusCode.DELETED, appMesh.deleteGatewayRoute(r -> r.meshName(mesh)
                .virtualGatewayName("ingress").gatewayRouteName("to-backend")).gatewayRoute().status().status());
        assertEquals(VirtualGatewayStatusCode.DELETED, appMesh.deleteVirtualGateway(r -> r.meshName(mesh)
                .virtualGatewayName("ingress")).virtualGateway().status().status());
        assertEquals(VirtualServiceStatusCode.DELETED, appMesh.deleteVirtualService(r -> r.meshName(mesh)
                .virtualServiceName("backend.kinds.local")).virtualService().status().status());
        assertEquals(RouteStatusCode.DELETED, appMesh.deleteRoute(r -> r.meshName(mesh).virtualRouterName("backend-router")
                .routeName("all")).route().status().status());
        assertEquals(VirtualRouterStatusCode.DELETED, appMesh.deleteVirtualRouter(r -> r.meshName(mesh)
                .virtualRouterName("backend-router")).virtualRouter().status().status());
        assertEquals(VirtualNodeStatusCode.DELETED, appMesh.deleteVirtualNode(r -> r.meshName(mesh)
                .virtualNodeName("backend-v1")).virtualNode().status().status());
        appMesh.deleteMesh(r -> r.meshName(mesh));
        assertTrue(appMesh.listMeshes(r -> { }).meshes().stream().noneMatch(m -> m.meshName().equals(mesh)));
    }
}
