package io.meshwork.eks.endpoints;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.eks.MeshworkController;
import io.meshwork.eks.reconcile.Finalizers;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.eks.support.ControllerHarness;
import io.meshwork.lambdahooks.support.LocalControlApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.ServiceSummary;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.meshwork.eks.support.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ready pods of a Cloud Map virtual node registered in Cloud Map (moto_server) as App Mesh's
 * controller registered them, and deregistered when they stop being ready, go, or their node goes.
 */
class PodEndpointsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static MotoServer moto;
    private static ServiceDiscoveryClient cloudMap;
    private static ControllerHarness harness;
    private static LocalControlApi api;
    private static MockCluster cluster;
    private static MeshworkController controller;

    @BeforeAll
    static void start() throws Exception {
        moto = new MotoServer();
        cloudMap = CloudMapClients.create("us-east-1", moto.endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
        cloudMap.createHttpNamespace(r -> r.name("howto.local"));
        harness = new ControllerHarness();
        api = harness.api;
        cluster = harness.cluster;
        cluster.namespace("howto", Map.of("mesh", "howto-mesh"));
        controller = harness.start(cloudMap, Map.of());
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    private static Pod pod(String name, String ip, String version, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("howto").withLabels(Map.of("app", "color", "version", version))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/color").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus()
                .build();
    }

    private static List<InstanceSummary> instances(String service) {
        Optional<ServiceSummary> summary = cloudMap.listServices().services().stream().filter(s -> s.name().equals(service)).findFirst();
        return summary.map(s -> cloudMap.listInstances(r -> r.serviceId(s.id())).instances()).orElse(List.of());
    }

    private static List<String> ids(String service) {
        // distinct: moto lists an instance registered again under the same id twice; Cloud Map replaces it.
        return instances(service).stream().map(InstanceSummary::id).distinct().sorted().toList();
    }

    @Test
    void readyPodsOfACloudMapNodeAreItsInstancesWithAppMeshsAttributes() {
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: howto-mesh}
                spec: {namespaceSelector: {matchLabels: {mesh: howto-mesh}}}
                """);
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: blue, namespace: howto}
                spec:
                  podSelector: {matchLabels: {app: color, version: blue}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  serviceDiscovery:
                    awsCloudMap:
                      namespaceName: howto.local
                      serviceName: color-blue
                      attributes: [{key: tier, value: backend}]
                """);
        var pods = cluster.client().pods().inNamespace("howto");
        pods.resource(pod("blue-1", "10.1.0.11", "blue", true)).create();
        pods.resource(pod("blue-2", "10.1.0.12", "blue", false)).create();
        pods.resource(pod("red-1", "10.1.0.21", "red", true)).create();

        await("blue-1 registered", WAIT, () -> ids("color-blue").equals(List.of("10.1.0.11")));
        Map<String, String> attributes = instances("color-blue").get(0).attributes();
        assertEquals("10.1.0.11", attributes.get("AWS_INSTANCE_IPV4"));
        assertEquals("8080", attributes.get("AWS_INSTANCE_PORT"));
        assertEquals("blue-1", attributes.get("k8s.io/pod"));
        assertEquals("howto", attributes.get("k8s.io/namespace"));
        assertEquals("howto-mesh", attributes.get("appmesh.k8s.aws/mesh"));
        assertEquals("blue_howto", attributes.get("appmesh.k8s.aws/virtualNode"));
        assertEquals("blue", attributes.get("version"), "the pod's labels");
        assertEquals("backend", attributes.get("tier"), "the node's attributes");
        await("the Cloud Map finalizer", WAIT, () -> cluster.get(AppMeshKind.VIRTUAL_NODE, "howto", "blue").getMetadata().getFinalizers()
                .contains(Finalizers.CLOUD_MAP));

        // blue-2 becomes ready; blue-1 goes.
        pods.withName("blue-2").editStatus(p -> {
            p.getStatus().getConditions().get(0).setStatus("True");
            return p;
        });
        await("blue-2 registered", WAIT, () -> ids("color-blue").equals(List.of("10.1.0.11", "10.1.0.12")));
        pods.withName("blue-1").delete();
        await("blue-1 deregistered", WAIT, () -> ids("color-blue").equals(List.of("10.1.0.12")));

        // A pod relabelled out of the node's selector leaves it.
        pods.withName("blue-2").edit(p -> {
            p.getMetadata().getLabels().put("version", "green");
            return p;
        });
        await("blue-2 deregistered", WAIT, () -> ids("color-blue").isEmpty());
        pods.withName("blue-2").edit(p -> {
            p.getMetadata().getLabels().put("version", "blue");
            return p;
        });
        await("blue-2 back", WAIT, () -> ids("color-blue").equals(List.of("10.1.0.12")));

        // The node deleted: its instances first, then its App Mesh resource, then the object.
        cluster.delete(AppMeshKind.VIRTUAL_NODE, "howto", "blue");
        await("the node gone", WAIT, () -> cluster.get(AppMeshKind.VIRTUAL_NODE, "howto", "blue") == null);
        assertEquals(List.of(), ids("color-blue"));
    }

    @Test
    void aControllerStartingAfterAnotherCleansUpWhatWentMeanwhile() throws Exception {
        cloudMap.createHttpNamespace(r -> r.name("later.local"));
        try (ControllerHarness first = new ControllerHarness()) {
            first.cluster.namespace("later", Map.of("mesh", "later-mesh"));
            first.cluster.create("""
                    apiVersion: appmesh.k8s.aws/v1beta2
                    kind: Mesh
                    metadata: {name: later-mesh}
                    spec: {namespaceSelector: {matchLabels: {mesh: later-mesh}}}
                    """);
            first.cluster.create("""
                    apiVersion: appmesh.k8s.aws/v1beta2
                    kind: VirtualNode
                    metadata: {name: api, namespace: later}
                    spec:
                      podSelector: {matchLabels: {app: color}}
                      listeners: [{portMapping: {port: 8080, protocol: http}}]
                      serviceDiscovery: {awsCloudMap: {namespaceName: later.local, serviceName: api}}
                    """);
            var pods = first.cluster.client().pods().inNamespace("later");
            for (String[] p : new String[][]{{"api-1", "10.2.0.1"}, {"api-2", "10.2.0.2"}}) {
                Pod pod = pod(p[0], p[1], "blue", true);
                pod.getMetadata().setNamespace("later");
                pods.resource(pod).create();
            }
            MeshworkController one = first.start(cloudMap, Map.of());
            await("both registered", WAIT, () -> ids("api").equals(List.of("10.2.0.1", "10.2.0.2")));

            // The controller stops (a rollout, a failover); a pod goes meanwhile; the next one finds its instance stale.
            one.close();
            pods.withName("api-1").delete();
            first.start(cloudMap, Map.of("HOSTNAME", "second"));
            await("the gone pod's instance removed by the next controller", WAIT, () -> ids("api").equals(List.of("10.2.0.2")));

            // The node deleted: every instance of it goes, whoever registered it.
            first.cluster.delete(AppMeshKind.VIRTUAL_NODE, "later", "api");
            await("the node gone", WAIT, () -> first.cluster.get(AppMeshKind.VIRTUAL_NODE, "later", "api") == null);
            assertEquals(List.of(), ids("api"));
        }
    }
}
