package io.meshwork.lambdahooks.cloudformation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.lambdahooks.CustomResourceHandler;
import io.meshwork.lambdahooks.support.LocalControlApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.NotFoundException;
import software.amazon.awssdk.services.appmesh.model.VirtualNodeSpec;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An App Mesh stack (templates/shop.json: what aws-cdk-lib/aws-appmesh synthesizes, with
 * MeshworkAspect's types) deployed by {@link MiniCloudFormation} through the handler onto the real
 * control API: created exactly as written, updated, a renamed route replaced, bad values failed
 * with a reason, and the stack deleted to nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CustomResourceStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalControlApi controlApi;
    private static MiniCloudFormation cloudFormation;
    private static AppMeshClient appMesh;
    private static ObjectNode template;

    @BeforeAll
    static void start() throws Exception {
        controlApi = new LocalControlApi();
        appMesh = controlApi.appMesh();
        cloudFormation = new MiniCloudFormation(new CustomResourceHandler(Map.of("MESHWORK_ENDPOINT", controlApi.endpoint().toString(),
                "AWS_REGION", "us-east-1"), controlApi.root()));
        try (InputStream in = CustomResourceStackTest.class.getResourceAsStream("/templates/shop.json")) {
            template = (ObjectNode) JSON.readTree(in);
        }
    }

    @AfterAll
    static void stop() {
        if (cloudFormation != null) {
            cloudFormation.close();
        }
        if (appMesh != null) {
            appMesh.close();
        }
        if (controlApi != null) {
            controlApi.close();
        }
    }

    @Test
    @Order(1)
    void theStackCreatesExactlyWhatTheTemplateAsks() throws Exception {
        List<MiniCloudFormation.Answer> answers = cloudFormation.deploy(template);

        assertEquals(8, answers.size());
        for (MiniCloudFormation.Answer answer : answers) {
            assertEquals("SUCCESS", answer.status(), answer.toString());
            assertTrue(answer.physicalId().startsWith("arn:aws:appmesh:us-east-1:000000000000:mesh/shop"), answer.toString());
            assertTrue(answer.bytes() <= 4096, answer.toString());
            MeshworkResourceType type = MeshworkResourceType.of(template.path("Resources").path(answer.logicalId()).path("Type").asText())
                    .orElseThrow();
            assertEquals(type.attributes(), List.copyOf(answer.data().keySet()), "every GetAtt of " + type.appMeshType());
            assertEquals(answer.physicalId(), answer.data().get("Arn"));
        }
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/shop/virtualRouter/catalog/route/catalog",
                cloudFormation.physicalId("Route"));

        assertEquals("DROP_ALL", appMesh.describeMesh(r -> r.meshName("shop")).mesh().spec().egressFilter().typeAsString());
        var meshArn = appMesh.describeMesh(r -> r.meshName("shop")).mesh().metadata().arn();
        assertEquals(Map.of("team", "shop"), appMesh.listTagsForResource(r -> r.resourceArn(meshArn)).tags().stream()
                .collect(Collectors.toMap(t -> t.key(), t -> t.value())));
        VirtualNodeSpec v1 = appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v1")).virtualNode().spec();
        var listener = v1.listeners().get(0);
        assertEquals(8080, listener.portMapping().port());
        assertEquals("/health", listener.healthCheck().path());
        assertEquals(5000L, listener.healthCheck().intervalMillis());
        assertEquals(5L, listener.outlierDetection().maxServerErrors());
        assertEquals(10L, listener.outlierDetection().baseEjectionDuration().value());
        assertEquals(15L, listener.timeout().http().perRequest().value());
        assertEquals("LOADBALANCER", v1.serviceDiscovery().dns().responseTypeAsString());
        assertEquals("v2", appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v2")).virtualNode().spec()
                .serviceDiscovery().awsCloudMap().attributes().get(0).value());
        var route = appMesh.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog").routeName("catalog")).route().spec();
        assertEquals(Map.of("catalog-v1", 90, "catalog-v2", 10), weights(route.httpRoute().action().weightedTargets()));
        assertEquals(3L, route.httpRoute().retryPolicy().maxRetries());
        assertEquals(2000L, route.httpRoute().retryPolicy().perRetryTimeout().value());
        assertEquals(10, route.priority());
        assertEquals(100, appMesh.describeVirtualGateway(r -> r.meshName("shop").virtualGatewayName("ingress")).virtualGateway().spec()
                .listeners().get(0).connectionPool().http().maxConnections());
        assertEquals("/catalog/", appMesh.describeGatewayRoute(r -> r.meshName("shop").virtualGatewayName("ingress")
                .gatewayRouteName("catalog")).gatewayRoute().spec().httpRoute().match().prefix());
    }

    @Test
    @Order(2)
    void anUpdateOfTheAppUpdatesTheResourcesInPlace() throws Exception {
        String routeArn = cloudFormation.physicalId("Route");
        ObjectNode weights = (ObjectNode) template.at("/Resources/Route/Properties/Spec/HttpRoute/Action");
        ((ObjectNode) weights.withArray("WeightedTargets").get(0)).put("Weight", 50);
        ((ObjectNode) weights.withArray("WeightedTargets").get(1)).put("Weight", 50);
        ((ObjectNode) template.at("/Resources/CatalogV1/Properties/Spec/Listeners/0/HealthCheck")).put("Path", "/ready");

        List<MiniCloudFormation.Answer> answers = cloudFormation.deploy(template);

        assertEquals(List.of("CatalogV1 Update SUCCESS", "Route Update SUCCESS"), summary(answers));
        assertEquals(routeArn, cloudFormation.physicalId("Route"), "an update in place keeps the physical id");
        assertEquals(Map.of("catalog-v1", 50, "catalog-v2", 50), weights(appMesh.describeRoute(r -> r.meshName("shop")
                .virtualRouterName("catalog").routeName("catalog")).route().spec().httpRoute().action().weightedTargets()));
        assertEquals("/ready", appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v1")).virtualNode().spec()
                .listeners().get(0).healthCheck().path());
    }

    @Test
    @Order(3)
    void aRenamedRouteIsReplacedAndTheOldOneDeletedAfterwards() throws Exception {
        ((ObjectNode) template.at("/Resources/Route/Properties")).put("RouteName", "catalog-split");

        List<MiniCloudFormation.Answer> answers = cloudFormation.deploy(template);

        assertEquals(List.of("Route Update SUCCESS", "replaced Delete SUCCESS"), summary(answers));
        assertTrue(cloudFormation.physicalId("Route").endsWith("/route/catalog-split"), "a new physical id: a replacement");
        assertThrows(NotFoundException.class, () -> appMesh.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog")
                .routeName("catalog")), "CloudFormation deleted the old route");
        assertEquals(Map.of("catalog-v1", 50, "catalog-v2", 50), weights(appMesh.describeRoute(r -> r.meshName("shop")
                .virtualRouterName("catalog").routeName("catalog-split")).route().spec().httpRoute().action().weightedTargets()));
    }

    @Test
    @Order(4)
    void aBadValueFailsWithAReasonAPersonCanActOnAndChangesNothing() throws Exception {
        ObjectNode bad = template.deepCopy();
        ((ObjectNode) bad.at("/Resources/CatalogV2/Properties/Spec/Listeners/0/PortMapping")).put("Port", "eighty");
        List<MiniCloudFormation.Answer> answers = cloudFormation.deploy(bad);
        assertEquals("FAILED", answers.get(answers.size() - 1).status());
        assertEquals("Spec.Listeners[0].PortMapping.Port must be a whole number, got 'eighty'", answers.get(answers.size() - 1).reason());

        ObjectNode unknown = template.deepCopy();
        ((ObjectNode) unknown.at("/Resources/CatalogV2/Properties/Spec/Listeners/0")).put("Portmapping", "x");
        MiniCloudFormation.Answer typo = last(cloudFormation.deploy(unknown));
        assertEquals("FAILED", typo.status());
        assertTrue(typo.reason().startsWith("Spec.Listeners[0].Portmapping is not a property here; Spec.Listeners[0] takes"), typo.reason());
        assertTrue(typo.reason().contains("PortMapping"), typo.reason());

        ObjectNode refused = template.deepCopy();
        ((ObjectNode) refused.at("/Resources/CatalogV2/Properties/Spec/Listeners/0/PortMapping")).put("Protocol", "smtp");
        MiniCloudFormation.Answer api = last(cloudFormation.deploy(refused));
        assertEquals("FAILED", api.status());
        assertTrue(api.reason().startsWith("AWS::AppMesh::VirtualNode shop/catalog-v2: BadRequestException: "), api.reason());

        assertEquals(8080, appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v2")).virtualNode().spec()
                .listeners().get(0).portMapping().port(), "nothing changed");
        assertEquals("http", appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v2")).virtualNode().spec()
                .listeners().get(0).portMapping().protocolAsString());
    }

    @Test
    @Order(5)
    void aCreateThatFailsLeavesNothingAndItsDeleteSucceeds() throws Exception {
        ObjectNode extra = template.deepCopy();
        ObjectNode node = ((ObjectNode) extra.path("Resources")).putObject("Broken");
        node.put("Type", "Custom::MeshworkVirtualNode");
        ObjectNode props = node.putObject("Properties");
        props.put("MeshName", "shop").put("VirtualNodeName", "broken");
        props.putObject("Spec").putArray("Listeners").addObject().putObject("PortMapping").put("Port", "70000").put("Protocol", "http");
        MiniCloudFormation.Answer failed = last(cloudFormation.deploy(extra));
        assertEquals("FAILED", failed.status(), failed.toString());
        assertFalse(failed.physicalId().startsWith("arn:"), "a failed create names nothing: " + failed.physicalId());
        assertThrows(NotFoundException.class, () -> appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("broken")));
        MiniCloudFormation.Answer delete = cloudFormation.deleteAgain("Broken", failed.physicalId(), Map.of("MeshName", "shop",
                "VirtualNodeName", "broken", "Spec", Map.of()), "Custom::MeshworkVirtualNode");
        assertEquals("SUCCESS", delete.status(), "CloudFormation's rollback deletes it: nothing to do");

        // A template whose properties fail their checks (no name, a misspelt key) fails its create, and
        // the rollback's Delete with those same properties must not strand the stack.
        MiniCloudFormation.Answer misspelt = cloudFormation.deleteAgain("Misspelt", "meshwork-not-created-x", Map.of("MeshName", "shop",
                "Tag", "x"), "Custom::MeshworkVirtualNode");
        assertEquals("SUCCESS", misspelt.status(), misspelt.toString());
    }

    @Test
    @Order(6)
    void aRollbackFromAFailedUpdateGetsThroughEvenWhenTheNewPropertiesWereBroken() throws Exception {
        // CloudFormation rolls a failed update back with an Update whose old properties are the broken ones.
        String arn = cloudFormation.physicalId("Gateway");
        Map<String, Object> good = cloudFormation.properties("Gateway");
        Map<String, Object> broken = new java.util.HashMap<>(good);
        broken.put("Tag", "misspelt");
        MiniCloudFormation.Answer rollback = cloudFormation.update("Gateway", arn, good, broken, "Custom::MeshworkVirtualGateway");
        assertEquals("SUCCESS", rollback.status(), rollback.toString());
        assertEquals(arn, rollback.physicalId());
    }

    @Test
    @Order(7)
    void deletingTheStackRemovesEverythingAndDeletingWhatIsGoneSucceeds() throws Exception {
        String nodeArn = cloudFormation.physicalId("CatalogV1");
        Map<String, Object> nodeProps = cloudFormation.properties("CatalogV1");

        List<MiniCloudFormation.Answer> answers = cloudFormation.deleteStack();

        assertEquals(List.of("GatewayRoute", "Gateway", "Service", "Route", "Router", "CatalogV2", "CatalogV1", "Mesh"),
                answers.stream().map(MiniCloudFormation.Answer::logicalId).toList(), "dependents first");
        answers.forEach(a -> assertEquals("SUCCESS", a.status(), a.toString()));
        assertEquals(List.of(), appMesh.listMeshes(r -> { }).meshes());
        assertEquals("SUCCESS", cloudFormation.deleteAgain("CatalogV1", nodeArn, nodeProps, "Custom::MeshworkVirtualNode").status(),
                "deleting what is already gone succeeds");
    }

    private static Map<String, Integer> weights(List<WeightedTarget> targets) {
        return targets.stream().collect(Collectors.toMap(WeightedTarget::virtualNode, WeightedTarget::weight));
    }

    private static List<String> summary(List<MiniCloudFormation.Answer> answers) {
        return answers.stream().map(a -> a.logicalId() + " " + a.requestType() + " " + a.status()).toList();
    }

    private static MiniCloudFormation.Answer last(List<MiniCloudFormation.Answer> answers) {
        return answers.get(answers.size() - 1);
    }
}
