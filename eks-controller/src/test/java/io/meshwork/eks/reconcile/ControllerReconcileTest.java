package io.meshwork.eks.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshwork.eks.MeshworkController;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.eks.support.ControllerHarness;
import io.meshwork.lambdahooks.support.LocalControlApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.EgressFilterType;
import software.amazon.awssdk.services.appmesh.model.NotFoundException;
import software.amazon.awssdk.services.appmesh.model.VirtualNodeData;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.meshwork.eks.support.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The App Mesh controller's walkthrough objects (the color app) applied to a cluster (fabric8's
 * CRUD mock) with the controller running against a real control API; what they become is read
 * back with the AWS SDK, as a user would with {@code aws appmesh describe-*}.
 */
class ControllerReconcileTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static ControllerHarness harness;
    private static LocalControlApi api;
    private static MockCluster cluster;
    private static MeshworkController controller;
    private static AppMeshClient appMesh;

    @BeforeAll
    static void start() throws Exception {
        harness = new ControllerHarness();
        api = harness.api;
        cluster = harness.cluster;
        appMesh = api.appMesh();
        cluster.namespace("howto", Map.of("mesh", "howto-mesh", "appmesh.k8s.aws/sidecarInjectorWebhook", "enabled"));
        cluster.namespace("ingress", Map.of("mesh", "howto-mesh", "gateway", "ingress-gw"));
        cluster.namespace("shop", Map.of("mesh", "shop-mesh"));
        cluster.namespace("lifecycle", Map.of("mesh", "lifecycle-mesh"));
        cluster.namespace("wild", Map.of("mesh", "shop-mesh"));
        controller = harness.start(null, Map.of("MESHWORK_ACCOUNT_ID", "000000000000"));
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private static String arn(AppMeshKind kind, String namespace, String name) {
        GenericKubernetesResource r = cluster.get(kind, namespace, name);
        if (r == null) {
            return null;
        }
        String arn = MeshObject.of(r).status().path(kind.statusArnField()).asText("");
        return arn.isEmpty() ? null : arn;
    }

    private static String condition(AppMeshKind kind, String namespace, String name, String field) {
        GenericKubernetesResource r = cluster.get(kind, namespace, name);
        if (r == null) {
            return null;
        }
        for (var c : MeshObject.of(r).status().path("conditions")) {
            if (c.path("type").asText().equals(kind.activeCondition())) {
                return c.path(field).asText();
            }
        }
        return null;
    }

    private static List<Event> events(String namespace, String involved) {
        return cluster.client().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(involved)).toList();
    }

    @Test
    void theColorAppBecomesAppMeshResourcesWithDefaultNamesStatusAndFinalizers() {
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: howto-mesh}
                spec:
                  namespaceSelector: {matchLabels: {mesh: howto-mesh}}
                  egressFilter: {type: ALLOW_ALL}
                """);
        for (String color : List.of("blue", "red")) {
            cluster.create("""
                    apiVersion: appmesh.k8s.aws/v1beta2
                    kind: VirtualNode
                    metadata: {name: %1$s, namespace: howto}
                    spec:
                      podSelector: {matchLabels: {app: color, version: %1$s}}
                      listeners:
                        - portMapping: {port: 8080, protocol: http}
                          healthCheck: {protocol: http, path: /ping, healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000}
                      serviceDiscovery:
                        dns: {hostname: color-%1$s.howto.svc.cluster.local}
                    """.formatted(color));
        }
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualRouter
                metadata: {name: color-router, namespace: howto}
                spec:
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  routes:
                    - name: color-route
                      httpRoute:
                        match: {prefix: /}
                        action:
                          weightedTargets:
                            - {virtualNodeRef: {name: blue}, weight: 3}
                            - {virtualNodeRef: {name: red}, weight: 1}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualService
                metadata: {name: color, namespace: howto}
                spec:
                  awsName: color.howto.svc.cluster.local
                  provider:
                    virtualRouter: {virtualRouterRef: {name: color-router}}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: front, namespace: howto}
                spec:
                  podSelector: {matchLabels: {app: front}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  backends:
                    - virtualService: {virtualServiceRef: {name: color}}
                  serviceDiscovery: {dns: {hostname: front.howto.svc.cluster.local}}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualGateway
                metadata: {name: ingress-gw, namespace: ingress}
                spec:
                  namespaceSelector: {matchLabels: {gateway: ingress-gw}}
                  podSelector: {matchLabels: {app: ingress-gw}}
                  listeners: [{portMapping: {port: 8088, protocol: http}}]
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: GatewayRoute
                metadata: {name: color-gr, namespace: ingress}
                spec:
                  httpRoute:
                    match: {prefix: /color}
                    action:
                      target:
                        virtualService: {virtualServiceARN: "arn:aws:appmesh:us-east-1:000000000000:mesh/howto-mesh/virtualService/color.howto.svc.cluster.local"}
                """);

        String meshArn = await("the mesh's ARN in its status", WAIT, () -> arn(AppMeshKind.MESH, null, "howto-mesh"));
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/howto-mesh", meshArn);
        assertEquals(EgressFilterType.ALLOW_ALL, appMesh.describeMesh(r -> r.meshName("howto-mesh")).mesh().spec().egressFilter().type());

        // Default names as App Mesh's controller gave them: name_namespace, a service's awsName as written.
        String blueArn = await("blue's ARN", WAIT, () -> arn(AppMeshKind.VIRTUAL_NODE, "howto", "blue"));
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/howto-mesh/virtualNode/blue_howto", blueArn);
        VirtualNodeData blue = appMesh.describeVirtualNode(r -> r.meshName("howto-mesh").virtualNodeName("blue_howto")).virtualNode();
        assertEquals("color-blue.howto.svc.cluster.local", blue.spec().serviceDiscovery().dns().hostname());
        assertEquals("/ping", blue.spec().listeners().get(0).healthCheck().path());

        await("the router and its route", WAIT, () -> arn(AppMeshKind.VIRTUAL_ROUTER, "howto", "color-router"));
        var route = appMesh.describeRoute(r -> r.meshName("howto-mesh").virtualRouterName("color-router_howto").routeName("color-route"))
                .route().spec().httpRoute().action().weightedTargets();
        assertEquals(List.of("blue_howto", "red_howto"), route.stream().map(t -> t.virtualNode()).toList());
        assertEquals(List.of(3, 1), route.stream().map(t -> t.weight()).toList());
        GenericKubernetesResource router = cluster.get(AppMeshKind.VIRTUAL_ROUTER, "howto", "color-router");
        assertTrue(MeshObject.of(router).status().path("routeARNs").path("color-route").asText().endsWith(
                "mesh/howto-mesh/virtualRouter/color-router_howto/route/color-route"), router.toString());

        await("the service", WAIT, () -> arn(AppMeshKind.VIRTUAL_SERVICE, "howto", "color"));
        assertEquals("color-router_howto", appMesh.describeVirtualService(r -> r.meshName("howto-mesh")
                .virtualServiceName("color.howto.svc.cluster.local")).virtualService().spec().provider().virtualRouter().virtualRouterName());
        await("front", WAIT, () -> arn(AppMeshKind.VIRTUAL_NODE, "howto", "front"));
        assertEquals("color.howto.svc.cluster.local", appMesh.describeVirtualNode(r -> r.meshName("howto-mesh").virtualNodeName("front_howto"))
                .virtualNode().spec().backends().get(0).virtualService().virtualServiceName());

        // The gateway route found its gateway by the gateway's namespaceSelector.
        await("the gateway route", WAIT, () -> arn(AppMeshKind.GATEWAY_ROUTE, "ingress", "color-gr"));
        assertEquals("color.howto.svc.cluster.local", appMesh.describeGatewayRoute(r -> r.meshName("howto-mesh")
                .virtualGatewayName("ingress-gw_ingress").gatewayRouteName("color-gr_ingress")).gatewayRoute().spec().httpRoute().action()
                .target().virtualService().virtualServiceName());

        MeshObject node = MeshObject.of(cluster.get(AppMeshKind.VIRTUAL_NODE, "howto", "blue"));
        assertEquals(List.of(Finalizers.AWS_RESOURCES), node.finalizers());
        assertEquals("True", condition(AppMeshKind.VIRTUAL_NODE, "howto", "blue", "status"));
        assertEquals(node.generation(), node.status().path("observedGeneration").asLong());
        assertTrue(MeshObject.of(cluster.get(AppMeshKind.MESH, null, "howto-mesh")).finalizers().contains(Finalizers.MESH_MEMBERS));
        assertTrue(MeshObject.of(cluster.get(AppMeshKind.VIRTUAL_GATEWAY, "ingress", "ingress-gw")).finalizers()
                .contains(Finalizers.GATEWAY_MEMBERS));
        await("a Created event", WAIT, () -> events("howto", "blue").stream().anyMatch(e -> e.getReason().equals("Created")));
    }

    private static void shopMesh() {
        if (cluster.get(AppMeshKind.MESH, null, "shop-mesh") == null) {
            cluster.create("""
                    apiVersion: appmesh.k8s.aws/v1beta2
                    kind: Mesh
                    metadata: {name: shop-mesh}
                    spec: {namespaceSelector: {matchLabels: {mesh: shop-mesh}}}
                    """);
        }
    }

    @Test
    void specChangesAreAppliedAndChangesMadeOutsideKubernetesAreRepaired() {
        shopMesh();
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: cart, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  serviceDiscovery: {dns: {hostname: cart.shop.svc.cluster.local}}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualRouter
                metadata: {name: cart-router, namespace: shop}
                spec:
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  routes:
                    - name: all
                      httpRoute:
                        match: {prefix: /}
                        action: {weightedTargets: [{virtualNodeRef: {name: cart}, weight: 1}]}
                """);
        await("cart-router", WAIT, () -> arn(AppMeshKind.VIRTUAL_ROUTER, "shop", "cart-router"));

        // A spec change in Kubernetes reaches App Mesh.
        cluster.editSpec(AppMeshKind.VIRTUAL_NODE, "shop", "cart", spec -> spec.put("serviceDiscovery",
                Map.of("dns", Map.of("hostname", "cart-v2.shop.svc.cluster.local"))));
        await("the new hostname", WAIT, () -> appMesh.describeVirtualNode(r -> r.meshName("shop-mesh").virtualNodeName("cart_shop"))
                .virtualNode().spec().serviceDiscovery().dns().hostname().equals("cart-v2.shop.svc.cluster.local"));
        await("observedGeneration", WAIT, () -> {
            MeshObject cart = MeshObject.of(cluster.get(AppMeshKind.VIRTUAL_NODE, "shop", "cart"));
            return cart.status().path("observedGeneration").asLong() == cart.generation();
        });

        // A route removed from spec.routes is deleted; one added is created.
        cluster.editSpec(AppMeshKind.VIRTUAL_ROUTER, "shop", "cart-router", spec -> spec.put("routes", List.of(Map.of("name", "api",
                "httpRoute", Map.of("match", Map.of("prefix", "/api"), "action", Map.of("weightedTargets",
                        List.of(Map.of("virtualNodeRef", Map.of("name", "cart"), "weight", 1))))))));
        await("route api made and route all deleted", WAIT, () -> appMesh.listRoutes(r -> r.meshName("shop-mesh")
                .virtualRouterName("cart-router_shop")).routes().stream().map(x -> x.routeName()).toList().equals(List.of("api")));

        // Deleted outside Kubernetes: made again.
        appMesh.deleteRoute(r -> r.meshName("shop-mesh").virtualRouterName("cart-router_shop").routeName("api"));
        appMesh.updateVirtualNode(r -> r.meshName("shop-mesh").virtualNodeName("cart_shop").spec(s -> s
                .listeners(l -> l.portMapping(p -> p.port(9999).protocol("http")))
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("hijacked.example.com")))));
        await("the route made again", WAIT, () -> appMesh.listRoutes(r -> r.meshName("shop-mesh").virtualRouterName("cart-router_shop"))
                .routes().size() == 1);
        await("the node set back", WAIT, () -> {
            var spec = appMesh.describeVirtualNode(r -> r.meshName("shop-mesh").virtualNodeName("cart_shop")).virtualNode().spec();
            return spec.serviceDiscovery().dns().hostname().equals("cart-v2.shop.svc.cluster.local")
                    && spec.listeners().get(0).portMapping().port() == 8080;
        });
        // The event is recorded after the repair it reports, so it may arrive a moment after the node is set back.
        await("a DriftRepaired event", WAIT, () -> events("shop", "cart").stream().anyMatch(e -> e.getReason().equals("DriftRepaired")));

        // The whole router deleted outside: the router and its route made again.
        // (The controller may put a route back between the two deletes: delete until the router is gone.)
        await("the router deleted outside Kubernetes", WAIT, () -> {
            try {
                for (var route : appMesh.listRoutes(r -> r.meshName("shop-mesh").virtualRouterName("cart-router_shop")).routes()) {
                    appMesh.deleteRoute(r -> r.meshName("shop-mesh").virtualRouterName("cart-router_shop").routeName(route.routeName()));
                }
                appMesh.deleteVirtualRouter(r -> r.meshName("shop-mesh").virtualRouterName("cart-router_shop"));
                return true;
            } catch (software.amazon.awssdk.services.appmesh.model.ResourceInUseException | NotFoundException e) {
                return false;
            }
        });
        await("the router and its route made again", WAIT, () -> {
            try {
                return appMesh.listRoutes(r -> r.meshName("shop-mesh").virtualRouterName("cart-router_shop")).routes().size() == 1;
            } catch (NotFoundException e) {
                return false;
            }
        });
    }

    @Test
    void aMissingReferenceIsAConditionAndAWarningUntilItAppears() {
        shopMesh();
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualService
                metadata: {name: payments, namespace: shop}
                spec:
                  provider: {virtualNode: {virtualNodeRef: {name: payments-v1}}}
                """);
        await("ReferencesNotResolved", WAIT, () -> "ReferencesNotResolved".equals(condition(AppMeshKind.VIRTUAL_SERVICE, "shop", "payments", "reason")));
        assertEquals("False", condition(AppMeshKind.VIRTUAL_SERVICE, "shop", "payments", "status"));
        assertTrue(condition(AppMeshKind.VIRTUAL_SERVICE, "shop", "payments", "message").contains("VirtualNode shop/payments-v1, which does not exist"));
        await("a Warning event", WAIT, () -> events("shop", "payments").stream().anyMatch(e -> e.getType().equals("Warning")
                && e.getMessage().contains("payments-v1")));

        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: payments-v1, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: payments}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  serviceDiscovery: {dns: {hostname: payments.shop.svc.cluster.local}}
                """);
        await("payments active", WAIT, () -> "True".equals(condition(AppMeshKind.VIRTUAL_SERVICE, "shop", "payments", "status")));
        assertEquals("payments-v1_shop", appMesh.describeVirtualService(r -> r.meshName("shop-mesh").virtualServiceName("payments.shop"))
                .virtualService().spec().provider().virtualNode().virtualNodeName());
    }

    @Test
    void aSpecTheApiRefusesIsReportedWithAppMeshsMessage() {
        shopMesh();
        // The schema's minimum (5000) would stop this at a real API server; the control API's own check must too.
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: too-eager, namespace: shop}
                spec:
                  listeners:
                    - portMapping: {port: 8080, protocol: http}
                      healthCheck: {protocol: http, path: /, healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 10}
                  serviceDiscovery: {dns: {hostname: too-eager.shop.svc.cluster.local}}
                """);
        await("BadRequestException", WAIT, () -> "BadRequestException".equals(condition(AppMeshKind.VIRTUAL_NODE, "shop", "too-eager", "reason")));
        assertTrue(condition(AppMeshKind.VIRTUAL_NODE, "shop", "too-eager", "message").contains("intervalMillis"),
                condition(AppMeshKind.VIRTUAL_NODE, "shop", "too-eager", "message"));
        assertThrows(NotFoundException.class, () -> appMesh.describeVirtualNode(r -> r.meshName("shop-mesh").virtualNodeName("too-eager_shop")));

        cluster.editSpec(AppMeshKind.VIRTUAL_NODE, "shop", "too-eager", spec -> spec.put("listeners", List.of(Map.of("portMapping",
                Map.of("port", 8080, "protocol", "http")))));
        await("fixed", WAIT, () -> "True".equals(condition(AppMeshKind.VIRTUAL_NODE, "shop", "too-eager", "status")));
    }

    @Test
    void deletingTheMeshFirstWaitsForItsMembersThenEverythingGoesInOrder() {
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: lifecycle-mesh}
                spec: {namespaceSelector: {matchLabels: {mesh: lifecycle-mesh}}}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: worker, namespace: lifecycle}
                spec:
                  podSelector: {matchLabels: {app: worker}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  serviceDiscovery: {dns: {hostname: worker.lifecycle.svc.cluster.local}}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualService
                metadata: {name: worker, namespace: lifecycle}
                spec:
                  provider: {virtualNode: {virtualNodeRef: {name: worker}}}
                """);
        await("worker service", WAIT, () -> arn(AppMeshKind.VIRTUAL_SERVICE, "lifecycle", "worker"));

        cluster.delete(AppMeshKind.MESH, null, "lifecycle-mesh");
        await("MembersRemain", WAIT, () -> "MembersRemain".equals(condition(AppMeshKind.MESH, null, "lifecycle-mesh", "reason")));
        assertNotNull(appMesh.describeMesh(r -> r.meshName("lifecycle-mesh")).mesh());
        assertTrue(condition(AppMeshKind.MESH, null, "lifecycle-mesh", "message").contains("VirtualNode lifecycle/worker"));

        // The node first: App Mesh refuses (the service still uses it), so the object waits.
        cluster.delete(AppMeshKind.VIRTUAL_NODE, "lifecycle", "worker");
        await("ResourceInUse on the node", WAIT, () -> "ResourceInUseException".equals(condition(AppMeshKind.VIRTUAL_NODE, "lifecycle", "worker", "reason")));
        assertNotNull(cluster.get(AppMeshKind.VIRTUAL_NODE, "lifecycle", "worker"));

        cluster.delete(AppMeshKind.VIRTUAL_SERVICE, "lifecycle", "worker");
        await("everything gone from Kubernetes", WAIT, () -> cluster.get(AppMeshKind.MESH, null, "lifecycle-mesh") == null
                && cluster.get(AppMeshKind.VIRTUAL_NODE, "lifecycle", "worker") == null
                && cluster.get(AppMeshKind.VIRTUAL_SERVICE, "lifecycle", "worker") == null);
        assertThrows(NotFoundException.class, () -> appMesh.describeMesh(r -> r.meshName("lifecycle-mesh")));
    }

    @Test
    void twoObjectsNamingOneResourceAreAConflictNotATugOfWar() {
        shopMesh();
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: search, namespace: shop}
                spec:
                  awsName: search
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  serviceDiscovery: {dns: {hostname: search.shop.svc.cluster.local}}
                """);
        await("search", WAIT, () -> arn(AppMeshKind.VIRTUAL_NODE, "shop", "search"));
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: search-copy, namespace: shop}
                spec:
                  awsName: search
                  listeners: [{portMapping: {port: 9090, protocol: http}}]
                  serviceDiscovery: {dns: {hostname: elsewhere.example.com}}
                """);
        await("Conflict", WAIT, () -> "Conflict".equals(condition(AppMeshKind.VIRTUAL_NODE, "shop", "search-copy", "reason")));
        assertTrue(condition(AppMeshKind.VIRTUAL_NODE, "shop", "search-copy", "message").contains("already managed by VirtualNode shop/search"));
        await("a Conflict event", WAIT, () -> events("shop", "search-copy").stream().anyMatch(e -> e.getReason().equals("Conflict")));
        // The first object's spec stands, through resyncs.
        assertEquals("search.shop.svc.cluster.local", appMesh.describeVirtualNode(r -> r.meshName("shop-mesh").virtualNodeName("search"))
                .virtualNode().spec().serviceDiscovery().dns().hostname());
    }

    @Test
    void aMeshOwnedByThisAccountIsMadeAndOneSharedByAnotherIsNot() {
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: own}
                spec: {meshOwner: "000000000000"}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: theirs}
                spec: {meshOwner: "111122223333"}
                """);
        await("own made", WAIT, () -> arn(AppMeshKind.MESH, null, "own"));
        await("theirs refused", WAIT, () -> "NotFoundException".equals(condition(AppMeshKind.MESH, null, "theirs", "reason")));
        assertTrue(condition(AppMeshKind.MESH, null, "theirs", "message").contains("not shared with this account"));
    }

    @Test
    void aWildcardBackendGroupTakesEveryServiceOfTheNamespaceAsTheyCome() {
        shopMesh();
        for (String name : List.of("a", "b", "caller")) {
            cluster.create("""
                    apiVersion: appmesh.k8s.aws/v1beta2
                    kind: VirtualNode
                    metadata: {name: %1$s, namespace: wild}
                    spec:
                      listeners: [{portMapping: {port: 8080, protocol: http}}]
                      serviceDiscovery: {dns: {hostname: %1$s.wild.svc.cluster.local}}
                      %2$s
                    """.formatted(name, name.equals("caller") ? "backendGroups: [{name: \"*\"}]" : ""));
        }
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualService
                metadata: {name: a, namespace: wild}
                spec: {provider: {virtualNode: {virtualNodeRef: {name: a}}}}
                """);
        await("caller backs onto a", WAIT, () -> backends("caller_wild").equals(List.of("a.wild")));
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualService
                metadata: {name: b, namespace: wild}
                spec: {provider: {virtualNode: {virtualNodeRef: {name: b}}}}
                """);
        await("caller backs onto a and b", WAIT, () -> backends("caller_wild").equals(List.of("a.wild", "b.wild")));
    }

    private static List<String> backends(String node) {
        return appMesh.describeVirtualNode(r -> r.meshName("shop-mesh").virtualNodeName(node)).virtualNode().spec().backends().stream()
                .map(b -> b.virtualService().virtualServiceName()).sorted().toList();
    }
}
