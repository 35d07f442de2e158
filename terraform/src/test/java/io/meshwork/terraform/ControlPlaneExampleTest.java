package io.meshwork.terraform;

import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.terraform.support.MotoOverride;
import io.meshwork.terraform.support.PlanChanges;
import io.meshwork.terraform.support.Terraform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Secret;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * examples/control-plane (the control-plane module in a VPC of its own) against moto_server:
 * apply creates all of it (Fargate service behind an internal load balancer, PostgreSQL with its
 * password managed by RDS, secrets, IAM, the ECS task hook and its EventBridge rule), a plan
 * right after changes nothing beyond what moto cannot keep, and destroy removes it all.
 */
class ControlPlaneExampleTest {
    private static final String EXAMPLE = "examples/control-plane";
    private static Terraform terraform;
    private static MotoServer moto;
    private static String[] vars;

    @BeforeAll
    static void start() throws Exception {
        terraform = Terraform.inCopy();
        moto = new MotoServer(Map.of("MOTO_IAM_LOAD_MANAGED_POLICIES", "true"));
        MotoOverride.write(terraform.dir(EXAMPLE), moto.endpoint(), null, null);
        Path hookJar = Terraform.SOURCES.getParent().resolve(Path.of("lambda-hooks", "target", "meshwork-lambda-hooks.jar"));
        assertTrue(Files.exists(hookJar), "build lambda-hooks first (mvn package): " + hookJar);
        vars = new String[]{"-var", "control_api_image=111122223333.dkr.ecr.us-east-1.amazonaws.com/meshwork-control-api:0.1.0",
                "-var", "lambda_hooks_jar=" + hookJar, "-var", "deletion_protection=false"};
        terraform.ok(EXAMPLE, "init", "-input=false", "-no-color");
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
        if (terraform != null) {
            terraform.delete();
        }
    }

    @Test
    void appliesReplansWithNoChangesAndDestroysEverything() throws Exception {
        Terraform.Result apply = terraform.ok(EXAMPLE, with("apply", "-auto-approve", "-input=false", "-no-color"));
        assertTrue(apply.stdout().contains("Apply complete! Resources: 51 added"), apply.stdout());

        try (EcsClient ecs = ecs()) {
            var task = ecs.describeTaskDefinition(r -> r.taskDefinition("meshwork-control-api")).taskDefinition();
            assertEquals(List.of("FARGATE"), task.requiresCompatibilitiesAsStrings());
            ContainerDefinition api = task.containerDefinitions().get(0);
            Map<String, String> env = api.environment().stream().collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value));
            assertEquals("123456789012", env.get("CONTROL_API_ACCOUNT_ID"), "ARNs carry the account moto answered for");
            assertTrue(env.get("CONTROL_API_JDBC_URL").startsWith("jdbc:postgresql://"), env.toString());
            assertEquals("true", env.get("CONTROL_API_AWS_LOGIN_IAM_POLICIES"));
            assertTrue(env.get("CONTROL_API_AWS_LOGIN_SERVER_ID").contains("elb"), "logins name the load balancer: " + env);
            assertEquals(List.of("CONTROL_API_ENCRYPTION_KEY", "CONTROL_API_JDBC_PASSWORD",
                            "CONTROL_API_ROOT_ACCESS_KEY_ID", "CONTROL_API_ROOT_SECRET_ACCESS_KEY"),
                    api.secrets().stream().map(Secret::name).sorted().toList(), "every secret from Secrets Manager");
            var service = ecs.describeServices(r -> r.cluster("meshwork").services("meshwork-control-api")).services().get(0);
            assertEquals(2, service.desiredCount());
            assertEquals(8080, service.loadBalancers().get(0).containerPort());
        }
        String outputs = terraform.ok(EXAMPLE, "output", "-json", "-no-color").stdout();
        assertTrue(outputs.contains("\"endpoint\"") && outputs.contains("http://internal-") || outputs.contains("elb"), outputs);

        terraform.ok(EXAMPLE, with("plan", "-out=replan", "-input=false", "-no-color"));
        String replan = terraform.ok(EXAMPLE, "show", "-json", "replan").stdout();
        assertEquals(List.of(), PlanChanges.beyondMotoGaps(replan), "a plan right after apply changes nothing");

        Terraform.Result destroy = terraform.ok(EXAMPLE, with("destroy", "-auto-approve", "-input=false", "-no-color"));
        assertTrue(destroy.stdout().contains("Resources: 51 destroyed"), destroy.stdout());
        try (EcsClient ecs = ecs()) {
            List<String> clusters = ecs.listClusters().clusterArns();
            assertTrue(clusters.isEmpty() || ecs.describeClusters(r -> r.clusters(clusters)).clusters().stream()
                    .allMatch(c -> "INACTIVE".equals(c.status())), "no active cluster left");
            assertEquals(List.of(), ecs.listTaskDefinitions(r -> r.status("ACTIVE")).taskDefinitionArns(), "no task definition left");
        }
    }

    private static String[] with(String... args) {
        String[] all = new String[args.length + vars.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(vars, 0, all, args.length, vars.length);
        return all;
    }

    private static EcsClient ecs() {
        return EcsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAMOTO000000000000", "moto"))).build();
    }
}
