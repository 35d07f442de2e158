package io.meshwork.cdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.lambdahooks.cloudformation.MiniCloudFormation;
import io.meshwork.lambdahooks.support.LocalControlApi;
import io.meshwork.lambdahooks.support.LocalLambdaRuntime;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.NotFoundException;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CDK app of test/shop-app.js (an unchanged aws-appmesh app plus MeshworkAspect), as
 * `npm test` synthesized it into cdk.out/, deployed by a CloudFormation stand-in through the
 * handler under the real Lambda runtime interface client onto the real control API: the control
 * API then holds exactly what the CDK code asked; the app's next version (new weights, a new
 * health-check path) updates it; a renamed route is replaced; deleting the stack removes
 * everything; a bad value fails with its reason.
 */
class CdkAppDeploysThroughTheHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSynthesizedAppDeploysUpdatesAndDeletesOntoMeshwork() throws Exception {
        Path v1 = Path.of("cdk.out", "v1", "MeshworkShop.template.json");
        assumeTrue(Files.exists(v1), "cdk.out/ is missing: npm was not available to build @meshwork/cdk (cdk/build.sh); skipping");
        try (LocalControlApi controlApi = new LocalControlApi();
             AppMeshClient appMesh = controlApi.appMesh();
             LocalLambdaRuntime lambda = new LocalLambdaRuntime("io.meshwork.lambdahooks.CustomResourceHandler::handleRequest",
                     LocalLambdaRuntime.environment(controlApi), 30);
             MiniCloudFormation cloudFormation = new MiniCloudFormation(event ->
                     lambda.invoke(MiniCloudFormation.json(event), Duration.ofSeconds(60)))) {
            List<MiniCloudFormation.Answer> created = cloudFormation.deploy(template("v1"));
            assertEquals(8, created.size());
            created.forEach(a -> assertEquals("SUCCESS", a.status(), a.toString()));

            // What the CDK code asked, field by field.
            assertEquals("DROP_ALL", appMesh.describeMesh(r -> r.meshName("shop")).mesh().spec().egressFilter().typeAsString());
            var listener = appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v1")).virtualNode().spec()
                    .listeners().get(0);
            assertEquals("/health", listener.healthCheck().path());
            assertEquals(5000L, listener.healthCheck().intervalMillis());
            assertEquals(2000L, listener.healthCheck().timeoutMillis());
            assertEquals(5L, listener.outlierDetection().maxServerErrors());
            assertEquals(50, listener.outlierDetection().maxEjectionPercent());
            assertEquals("15000 ms", listener.timeout().http().perRequest().value() + " " + listener.timeout().http().perRequest().unitAsString());
            var route = appMesh.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog").routeName("catalog")).route().spec()
                    .httpRoute();
            assertEquals(Map.of("catalog-v1", 90, "catalog-v2", 10), weights(route.action().weightedTargets()));
            assertEquals(3L, route.retryPolicy().maxRetries());
            assertEquals(List.of("gateway-error", "server-error"), route.retryPolicy().httpRetryEvents().stream().sorted().toList());
            assertEquals("10000 ms", route.timeout().perRequest().value() + " " + route.timeout().perRequest().unitAsString());
            assertEquals("catalog.shop.local", appMesh.describeVirtualService(r -> r.meshName("shop").virtualServiceName("catalog.shop.local"))
                    .virtualService().spec().provider().virtualRouter().virtualRouterName().replace("catalog", "catalog.shop.local"));
            assertEquals(100, appMesh.describeVirtualGateway(r -> r.meshName("shop").virtualGatewayName("ingress")).virtualGateway().spec()
                    .listeners().get(0).connectionPool().http().maxConnections());
            assertEquals("/catalog/", appMesh.describeGatewayRoute(r -> r.meshName("shop").virtualGatewayName("ingress")
                    .gatewayRouteName("catalog")).gatewayRoute().spec().httpRoute().match().prefix());

            // The app's next version: new weights and a new health-check path, updated in place.
            List<MiniCloudFormation.Answer> updated = cloudFormation.deploy(template("v2"));
            assertEquals(List.of("Update", "Update", "Update"), updated.stream().map(MiniCloudFormation.Answer::requestType).toList(),
                    "the two nodes and the route: " + updated);
            updated.forEach(a -> assertEquals("SUCCESS", a.status(), a.toString()));
            assertEquals(Map.of("catalog-v1", 50, "catalog-v2", 50), weights(appMesh.describeRoute(r -> r.meshName("shop")
                    .virtualRouterName("catalog").routeName("catalog")).route().spec().httpRoute().action().weightedTargets()));
            assertEquals("/ready", appMesh.describeVirtualNode(r -> r.meshName("shop").virtualNodeName("catalog-v2")).virtualNode().spec()
                    .listeners().get(0).healthCheck().path());

            // A renamed route: a new resource, the old one deleted by CloudFormation afterwards.
            List<MiniCloudFormation.Answer> renamed = cloudFormation.deploy(template("v3"));
            assertEquals(List.of("Update SUCCESS", "Delete SUCCESS"), renamed.stream().map(a -> a.requestType() + " " + a.status()).toList());
            assertThrows(NotFoundException.class, () -> appMesh.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog")
                    .routeName("catalog")));
            assertNotNull(appMesh.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog").routeName("catalog-split")).route());

            // A bad value (here by hand: CDK's types would not let it through) fails with its reason, changing nothing.
            ObjectNode bad = template("v3");
            bad.path("Resources").fields().forEachRemaining(e -> {
                if (e.getValue().path("Type").asText().equals("Custom::MeshworkVirtualGateway")) {
                    ((ObjectNode) e.getValue().at("/Properties/Spec/Listeners/0/ConnectionPool/HTTP")).put("MaxConnections", "lots");
                }
            });
            MiniCloudFormation.Answer failed = cloudFormation.deploy(bad).get(0);
            assertEquals("FAILED", failed.status());
            assertEquals("Spec.Listeners[0].ConnectionPool.HTTP.MaxConnections must be a whole number, got 'lots'", failed.reason());

            List<MiniCloudFormation.Answer> deleted = cloudFormation.deleteStack();
            assertEquals(8, deleted.size());
            deleted.forEach(a -> assertEquals("SUCCESS", a.status(), a.toString()));
            assertEquals(List.of(), appMesh.listMeshes(r -> { }).meshes(), "the stack's deletion removed everything");
            System.out.printf("CDK app through the handler: cold start %d ms, first event %d ms%n", lambda.coldStart().toMillis(),
                    cloudFormation.deliveryNanos().get(0) / 1_000_000);
        }
    }

    private static ObjectNode template(String version) throws Exception {
        JsonNode template = JSON.readTree(Path.of("cdk.out", version, "MeshworkShop.template.json").toFile());
        return (ObjectNode) template;
    }

    private static Map<String, Integer> weights(List<WeightedTarget> targets) {
        return targets.stream().collect(Collectors.toMap(WeightedTarget::virtualNode, WeightedTarget::weight));
    }
}
