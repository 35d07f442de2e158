package io.meshwork.terraform;

import io.meshwork.cloudmap.testing.MotoIdentities;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.proxy.support.NetworkNamespaces;
import io.meshwork.terraform.support.EcsTaskEmulation;
import io.meshwork.terraform.support.MotoOverride;
import io.meshwork.terraform.support.PlanChanges;
import io.meshwork.terraform.support.Terraform;
import io.meshwork.terraform.support.TestDirs;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * examples/ecs-mesh end to end: Terraform applies the mesh (aws_appmesh_* to the real control
 * API) and its ECS services (to moto_server), a plan right after changes nothing, and then the
 * task definitions Terraform registered, read back from moto, run on this machine
 * ({@link EcsTaskEmulation}): proxies authenticate with their task roles (moto's STS) and are
 * granted what the IAM policy Terraform gave each role allows (moto's IAM); tasks find each other
 * through the Cloud Map services Terraform made. Requests through the virtual gateway reach the
 * frontend, which calls the backend through the mesh; the route's canary weight holds, also after
 * Terraform changes it. Destroy removes it all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcsMeshExampleTest {
    private static final String EXAMPLE = "examples/ecs-mesh";
    private static final String ROOT_KEY = "MWKECSEXAMPLEROOT001";
    private static final String ROOT_SECRET = "ecs-example-root-secret";

    private Terraform terraform;
    private MotoServer moto;
    private EmbeddedServer controlApi;
    private NetworkNamespaces net;
    private EcsTaskEmulation ecs;
    private Path work;
    private String[] vars;
    private final List<EcsTaskEmulation.Task> tasks = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        String why = NetworkNamespaces.unavailableBecause();
        assumeTrue(why == null, why);
        terraform = Terraform.inCopy();
        moto = new MotoServer(Map.of("MOTO_IAM_LOAD_MANAGED_POLICIES", "true"));
        // The control API's own AWS credentials (its task role on ECS): Cloud Map sync and IAM reads go to moto.
        System.setProperty("aws.accessKeyId", "AKIACONTROLAPI000000");
        System.setProperty("aws.secretAccessKey", "control-api");
        net = NetworkNamespaces.create("mwe");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        work = Files.createTempDirectory("meshwork-ecs-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Object> settings = new HashMap<>();
        settings.put("micronaut.server.port", port);
        settings.put("micronaut.server.host", "0.0.0.0");
        settings.put("control-api.data-dir", work.resolve("control-api").toString());
        settings.put("control-api.root-access-key-id", ROOT_KEY);
        settings.put("control-api.root-secret-access-key", ROOT_SECRET);
        // Its account is the one moto answers for, so the ARNs in IAM policies name Meshwork's resources.
        settings.put("control-api.account-id", "123456789012");
        settings.put("control-api.cloudmap.enabled", "true");
        settings.put("control-api.cloudmap.endpoint", moto.endpoint().toString());
        settings.put("control-api.sts.endpoint", moto.endpoint().toString());
        settings.put("control-api.aws-login.server-id", NetworkNamespaces.BRIDGE_ADDRESS);
        settings.put("control-api.aws-login.iam-policies", "true");
        settings.put("control-api.aws-login.iam-endpoint", moto.endpoint().toString());
        controlApi = ApplicationContext.run(EmbeddedServer.class, settings);

        String endpoint = "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":" + port;
        MotoOverride.write(terraform.dir(EXAMPLE), moto.endpoint(), ROOT_KEY, ROOT_SECRET);
        String vpc;
        String subnet;
        try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1).credentialsProvider(motoKeys()).build()) {
            vpc = ec2.createVpc(r -> r.cidrBlock("10.30.0.0/16")).vpc().vpcId();
            subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.30.1.0/24")).subnet().subnetId();
        }
        vars = new String[]{"-var", "meshwork_endpoint=" + endpoint, "-var", "vpc_id=" + vpc, "-var", "subnet_ids=[\"" + subnet + "\"]",
                "-var", "proxy_image=123456789012.dkr.ecr.us-east-1.amazonaws.com/meshwork-proxy:0.1.0"};
        terraform.ok(EXAMPLE, "init", "-input=false", "-no-color");
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[]{ecs, net}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // go on cleaning up
            }
        }
        if (controlApi != null) {
            controlApi.getApplicationContext().close();
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (moto != null) {
            moto.close();
        }
        if (terraform != null) {
            terraform.delete();
        }
        TestDirs.delete(work);
    }

    @Test
    void terraformDeploysTheMeshAndItsServicesWhoseTasksServeTrafficThroughTheMeshWithTheCanaryWeight() throws Exception {
        Terraform.Result apply = terraform.ok(EXAMPLE, with("apply", "-auto-approve", "-input=false", "-no-color"));
        assertTrue(apply.stdout().contains("Apply complete!"), apply.stdout());
        terraform.ok(EXAMPLE, with("plan", "-out=replan", "-input=false", "-no-color"));
        assertEquals(List.of(), PlanChanges.beyondMotoGaps(terraform.ok(EXAMPLE, "show", "-json", "replan").stdout()),
                "a plan right after apply changes nothing");
        try (AppMeshClient appMesh = appMesh()) {
            assertEquals(Map.of("backend-v1", 90, "backend-v2", 10), appMesh.describeRoute(r -> r.meshName("shop")
                    .virtualRouterName("backend").routeName("backend")).route().spec().httpRoute().action().weightedTargets().stream()
                    .collect(java.util.stream.Collectors.toMap(t -> t.virtualNode(), t -> t.weight())));
        }

        // The tasks ECS would run, from what Terraform registered.
        try (EcsClient ecsApi = ecsClient(); ServiceDiscoveryClient cloudMap = ServiceDiscoveryClient.builder()
                .endpointOverride(moto.endpoint()).region(Region.US_EAST_1).credentialsProvider(motoKeys()).build()) {
            ecs = new EcsTaskEmulation(net, work, new MotoIdentities(moto), cloudMap,
                    "10.99.0.200 backend.shop.local frontend.shop.local\n");
            for (String name : List.of("backend-v1", "backend-v2", "frontend", "ingress")) {
                Service service = ecsApi.describeServices(r -> r.cluster("shop").services(name)).services().get(0);
                TaskDefinition definition = ecsApi.describeTaskDefinition(r -> r.taskDefinition(service.taskDefinition())).taskDefinition();
                assertAppMeshShape(name, definition);
                String registry = service.serviceRegistries().isEmpty() ? null
                        : last(service.serviceRegistries().get(0).registryArn());
                for (int i = 0; i < service.desiredCount(); i++) {
                    tasks.add(ecs.run(name, definition, registry));
                }
            }
            assertEquals(5, tasks.size(), "backend-v1 runs two tasks, the others one");

            EcsTaskEmulation.Task gateway = tasks.stream().filter(t -> t.service().equals("ingress")).findFirst().orElseThrow();
            URI front = URI.create("http://" + gateway.address() + ":8080/orders");
            awaitAnswer(front);
            Map<String, Integer> answers = send(front, 200);
            assertEquals(200, answers.getOrDefault("frontend -> backend-v1", 0) + answers.getOrDefault("frontend -> backend-v2", 0),
                    "every request went gateway -> frontend -> backend and back: " + answers);
            System.out.println("ECS example, canary 10: " + answers);
            int canary = answers.getOrDefault("frontend -> backend-v2", 0);
            assertTrue(canary >= 6 && canary <= 40, "about 10 % to backend-v2: " + answers);

            // Terraform moves the canary; the running proxies follow.
            terraform.ok(EXAMPLE, with("apply", "-auto-approve", "-input=false", "-no-color", "-var", "canary_weight=50"));
            awaitCanaryShare(front, 0.5);

            tasks.forEach(ecs::stop);
        }
        Terraform.Result destroy = terraform.ok(EXAMPLE, with("destroy", "-auto-approve", "-input=false", "-no-color"));
        assertTrue(destroy.stdout().contains("Destroy complete!"), destroy.stdout());
        try (AppMeshClient appMesh = appMesh()) {
            assertEquals(List.of(), appMesh.listMeshes(r -> { }).meshes(), "the mesh is gone from Meshwork");
        }
    }

    /** What App Mesh users' task definitions have, as moto gives it back. */
    private static void assertAppMeshShape(String service, TaskDefinition definition) {
        ContainerDefinition proxy = definition.containerDefinitions().get(0);
        assertEquals("envoy", proxy.name(), service);
        assertEquals("1337", proxy.user(), service);
        assertEquals(List.of("CMD-SHELL", "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE"),
                proxy.healthCheck().command(), service);
        if (service.equals("ingress")) {
            assertNull(definition.proxyConfiguration(), "a gateway is no sidecar");
            return;
        }
        assertEquals("APPMESH", definition.proxyConfiguration().typeAsString(), service);
        assertEquals("envoy", definition.proxyConfiguration().containerName(), service);
        ContainerDefinition app = definition.containerDefinitions().get(1);
        assertEquals("envoy", app.dependsOn().get(0).containerName(), service);
        assertEquals("HEALTHY", app.dependsOn().get(0).conditionAsString(), service);
    }

    private void awaitAnswer(URI uri) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().startsWith("frontend -> backend")) {
                    return;
                }
                last = r.statusCode() + " " + r.body() + " " + r.headers().map();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        fail("the mesh did not answer through the gateway within 90 s; last: " + last + " (logs in " + work + ")");
    }

    private void awaitCanaryShare(URI uri, double share) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Integer> answers = Map.of();
        while (System.nanoTime() < deadline) {
            answers = send(uri, 200);
            double v2 = answers.getOrDefault("frontend -> backend-v2", 0) / 200.0;
            if (Math.abs(v2 - share) < 0.15 && answers.values().stream().mapToInt(Integer::intValue).sum() == 200
                    && answers.keySet().stream().allMatch(k -> k.startsWith("frontend -> backend-v"))) {
                System.out.println("ECS example, canary " + Math.round(share * 100) + ": " + answers);
                return;
            }
            Thread.sleep(1000);
        }
        fail("backend-v2 did not get " + share + " of the requests: " + answers);
    }

    private Map<String, Integer> send(URI uri, int count) throws Exception {
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            answers.merge(r.statusCode() == 200 ? r.body().trim() : "HTTP " + r.statusCode(), 1, Integer::sum);
        }
        return answers;
    }

    private String[] with(String... args) {
        String[] all = new String[args.length + vars.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(vars, 0, all, args.length, vars.length);
        return all;
    }

    private static String last(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    private AppMeshClient appMesh() {
        return AppMeshClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + controlApi.getPort()))
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ROOT_KEY, ROOT_SECRET))).build();
    }

    private EcsClient ecsClient() {
        return EcsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1).credentialsProvider(motoKeys()).build();
    }

    private static StaticCredentialsProvider motoKeys() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAMOTO000000000000", "moto"));
    }
}
