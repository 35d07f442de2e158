package io.meshwork.eks.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshwork.eks.MeshworkController;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.eks.support.RunningController;
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
    private static LocalControlApi api;
    private static MockCluster cluster;
    private static MeshworkController controller;
    private static AppMeshClient appMesh;

    @BeforeAll
    static void start() throws Exception {
        api = new LocalControlApi();
        appMesh = api.appMesh();
        cluster = new MockCluster();
        cluster.namespace("howto", Map.of("mesh", "howto-mesh", "appmesh.k8s.aws/sidecarInjectorWebhook", "enabled"));
        cluster.namespace("ingress", Map.of("mesh", "howto-mesh", "gateway", "ingress-gw"));
        controller = RunningController.start(cluster, api, null, Map.of());
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (api != null) {
            api.close();
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
        assertTrue(events("howto", "blue").stream().anyMatch(e -> e.getReason().equals("Created")));
    }
}
