package io.meshwork.lambdahooks.cloudformation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.lambdahooks.support.LocalControlApi;
import io.meshwork.lambdahooks.support.LocalLambdaRuntime;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.LongSummaryStatistics;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The handler as Lambda runs it: every event of the shop stack delivered through the real AWS
 * Lambda runtime interface client (its own JVM, polling a local Runtime API), the handler built
 * from its environment, signing with the credentials in it. Reports the cold start and the time
 * per resource.
 */
class CustomResourceLambdaRuntimeTest {
    @Test
    void theStackDeploysAndDeletesThroughLambdasRuntimeInterfaceClient() throws Exception {
        JsonNode template;
        try (InputStream in = getClass().getResourceAsStream("/templates/shop.json")) {
            template = new ObjectMapper().readTree(in);
        }
        try (LocalControlApi controlApi = new LocalControlApi();
             AppMeshClient appMesh = controlApi.appMesh();
             LocalLambdaRuntime lambda = new LocalLambdaRuntime("io.meshwork.lambdahooks.CustomResourceHandler::handleRequest",
                     LocalLambdaRuntime.environment(controlApi), 30);
             MiniCloudFormation cloudFormation = new MiniCloudFormation(event -> {
                 String result = lambda.invoke(MiniCloudFormation.json(event), Duration.ofSeconds(60));
                 assertEquals("null", result.trim(), "the handler returns normally after its answer");
             })) {
            List<MiniCloudFormation.Answer> created = cloudFormation.deploy(template);
            assertEquals(8, created.size());
            created.forEach(a -> assertEquals("SUCCESS", a.status(), a.toString()));
            assertEquals(List.of(90, 10), appMesh.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog").routeName("catalog"))
                    .route().spec().httpRoute().action().weightedTargets().stream().map(t -> t.weight()).sorted((a, b) -> b - a).toList());

            List<MiniCloudFormation.Answer> deleted = cloudFormation.deleteStack();
            deleted.forEach(a -> assertEquals("SUCCESS", a.status(), a.toString()));
            assertEquals(List.of(), appMesh.listMeshes(r -> { }).meshes());

            List<Long> nanos = cloudFormation.deliveryNanos();
            LongSummaryStatistics warm = nanos.subList(1, nanos.size()).stream().mapToLong(n -> n / 1_000_000).summaryStatistics();
            System.out.printf("CloudFormation handler under the Lambda runtime client: cold start %d ms (JVM and runtime start to the"
                            + " first event taken), first event %d ms, then per resource %d ms on average (max %d) over %d events%n",
                    lambda.coldStart().toMillis(), nanos.get(0) / 1_000_000, Math.round(warm.getAverage()), warm.getMax(), warm.getCount());
            assertTrue(nanos.get(0) < 30_000_000_000L, "the first event is answered well inside Lambda's 30 s");
        }
    }
}
