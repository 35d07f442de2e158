package io.meshwork.eks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.zjsonpatch.JsonPatch;
import io.meshwork.eks.MeshworkController;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.eks.support.ControllerHarness;
import io.meshwork.eks.support.WebhookClient;
import io.meshwork.lambdahooks.support.LocalControlApi;
import io.meshwork.proxyapi.SnapshotJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.meshwork.eks.support.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admission webhooks as the API server calls them: recorded {@code AdmissionReview}s of both
 * versions POSTed over HTTPS to the running controller (trusting the CA it wrote into its webhook
 * configurations), the JSON Patch it answers applied with zjsonpatch, and the resulting pod
 * compared with the pod App Mesh's injector made, with Meshwork's proxy in it.
 */
class AdmissionWebhookTest {
    private static final JsonMapper JACKSON3 = JsonMapper.builder().build();
    private static ControllerHarness harness;
    private static LocalControlApi api;
    private static MockCluster cluster;
    private static MeshworkController controller;
    private static WebhookClient webhook;

    @BeforeAll
    static void start() throws Exception {
        harness = new ControllerHarness();
        api = harness.api;
        cluster = harness.cluster;
        // The webhook configurations as config/default installs them (without a caBundle).
        for (String file : List.of("mutating_webhook_configuration.yaml", "validating_webhook_configuration.yaml")) {
            try (InputStream in = Files.newInputStream(Path.of("config/webhook", file))) {
                cluster.client().load(in).inNamespace("meshwork-system").createOrReplace();
            }
        }
        cluster.namespace("howto", Map.of("mesh", "howto-mesh", PodInjector.INJECT, "enabled"));
        cluster.namespace("quiet", Map.of("mesh", "howto-mesh", PodInjector.INJECT, "disabled"));
        cluster.namespace("plain", Map.of("mesh", "howto-mesh"));
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: howto-mesh}
                spec: {namespaceSelector: {matchLabels: {mesh: howto-mesh}}}
                """);
        for (String ns : List.of("howto", "quiet", "plain")) {
            cluster.create("""
                    apiVersion: appmesh.k8s.aws/v1beta2
                    kind: VirtualNode
                    metadata: {name: front, namespace: %s}
                    spec:
                      podSelector: {matchLabels: {app: front}}
                      listeners:
                        - portMapping: {port: 8080, protocol: http}
                        - portMapping: {port: 9090, protocol: grpc}
                      serviceDiscovery: {dns: {hostname: front.%1$s.svc.cluster.local}}
                    """.formatted(ns));
        }
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualGateway
                metadata: {name: ingress-gw, namespace: howto}
                spec:
                  namespaceSelector: {matchLabels: {mesh: howto-mesh}}
                  podSelector: {matchLabels: {app: ingress-gw}}
                  listeners: [{portMapping: {port: 8088, protocol: http}}]
                """);
        controller = harness.start(null, Map.of("MESHWORK_PROXY_INIT_IMAGE", "registry.example/meshwork/proxy:test",
                "MESHWORK_ENDPOINT", "https://meshwork.internal/", "AWS_REGION", "eu-west-1"));
        // The objects reach the informers' caches.
        await("the controller's view of the nodes", Duration.ofSeconds(10),
                () -> cluster.get(AppMeshKind.VIRTUAL_NODE, "plain", "front").getMetadata().getFinalizers() != null);
        webhook = new WebhookClient(controller, ca(controller.certificate().caBundle()));
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private static X509Certificate ca(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static ObjectNode recorded(String file, String namespace, Map<String, String> annotations) throws Exception {
        String text = Files.readString(Path.of("src/test/resources/admission", file)).replace("NAMESPACE", namespace);
        ObjectNode review = (ObjectNode) SnapshotJson.mapper().readTree(text);
        ObjectNode podAnnotations = (ObjectNode) review.path("request").path("object").path("metadata").path("annotations");
        annotations.forEach(podAnnotations::put);
        return review;
    }

    /** The pod as the API server stores it: the request's object with the answer's patch applied. */
    private static JsonNode admitted(JsonNode request, JsonNode answer) throws Exception {
        JsonNode response = answer.path("response");
        assertEquals(request.path("apiVersion").asText(), answer.path("apiVersion").asText(), "answered in the request's version");
        assertEquals("AdmissionReview", answer.path("kind").asText());
        assertEquals(request.path("request").path("uid").asText(), response.path("uid").asText(), "uid echoed");
        assertTrue(response.path("allowed").asBoolean(), answer.toString());
        JsonNode object = request.path("request").path("object");
        if (!response.has("patch")) {
            assertFalse(response.has("patchType"));
            return object;
        }
        assertEquals("JSONPatch", response.path("patchType").asText());
        var patch = JACKSON3.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        var patched = JsonPatch.apply(patch, JACKSON3.readTree(object.toString()));
        return SnapshotJson.mapper().readTree(JACKSON3.writeValueAsString(patched));
    }

    private static JsonNode container(JsonNode pod, String list, String name) {
        for (JsonNode c : pod.path("spec").path(list)) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        return null;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    @Test
    void theControllerPutItsOwnCaIntoItsWebhookConfigurations() {
        String bundle = Base64.getEncoder().encodeToString(controller.certificate().caBundle().getBytes(StandardCharsets.UTF_8));
        MutatingWebhookConfiguration mutating = cluster.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("meshwork-mutating-webhook").get();
        ValidatingWebhookConfiguration validating = cluster.client().admissionRegistration().v1().validatingWebhookConfigurations()
                .withName("meshwork-validating-webhook").get();
        assertTrue(mutating.getWebhooks().size() == 8 && mutating.getWebhooks().stream().allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle())));
        assertTrue(validating.getWebhooks().size() == 7 && validating.getWebhooks().stream().allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle())));
    }

    @Test
    void aPodInALabelledNamespaceGetsTheProxyExactlyAsTheGoldenPodShows() throws Exception {
        for (String version : List.of("pod-v1.json", "pod-v1beta1.json")) {
            ObjectNode request = recorded(version, "howto", Map.of());
            JsonNode pod = admitted(request, webhook.review("/mutate-v1-pod", request));
            Path goldenFile = Path.of("src/test/resources/admission/golden/front-injected.json");
            if (Boolean.getBoolean("golden.write")) {
                // -Dgolden.write=true after a deliberate change to the injected shape; review the diff before committing.
                Files.createDirectories(goldenFile.getParent());
                Files.writeString(goldenFile, SnapshotJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(pod) + "\n");
            }
            JsonNode golden = SnapshotJson.mapper().readTree(Files.readString(goldenFile));
            assertEquals(golden, pod, version + ": the injected pod differs from golden/front-injected.json:\n"
                    + SnapshotJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(pod));
        }
    }

    @Test
    void disabledAndUnlabelledNamespacesAreLeftAloneUnlessThePodAsks() throws Exception {
        for (String ns : List.of("quiet", "plain")) {
            ObjectNode request = recorded("pod-v1.json", ns, Map.of());
            JsonNode answer = webhook.review("/mutate-v1-pod", request);
            assertEquals(request.path("request").path("object"), admitted(request, answer), ns + ": nothing injected");
        }
        // The pod's annotation overrides its namespace's label, both ways.
        JsonNode asked = admitted(recorded("pod-v1beta1.json", "quiet", Map.of(PodInjector.INJECT, "enabled")),
                webhook.review("/mutate-v1-pod", recorded("pod-v1beta1.json", "quiet", Map.of(PodInjector.INJECT, "enabled"))));
        assertEquals("mesh/howto-mesh/virtualNode/front_quiet", env(container(asked, "containers", "envoy")).get("APPMESH_RESOURCE_ARN"));
        ObjectNode optOut = recorded("pod-v1.json", "howto", Map.of(PodInjector.INJECT, "disabled"));
        assertNull(container(admitted(optOut, webhook.review("/mutate-v1-pod", optOut)), "containers", "envoy"));
    }

    @Test
    void everyAnnotationOfAppMeshsInjectorIsHonoured() throws Exception {
        Map<String, String> annotations = new java.util.LinkedHashMap<>();
        annotations.put("appmesh.k8s.aws/cpuRequest", "50m");
        annotations.put("appmesh.k8s.aws/memoryRequest", "64Mi");
        annotations.put("appmesh.k8s.aws/cpuLimit", "500m");
        annotations.put("appmesh.k8s.aws/memoryLimit", "256Mi");
        annotations.put("appmesh.k8s.aws/ports", "8080");
        annotations.put("appmesh.k8s.aws/egressIgnoredIPs", "169.254.169.254,169.254.170.2");
        annotations.put("appmesh.k8s.aws/egressIgnoredPorts", "22,5432");
        annotations.put("appmesh.k8s.aws/proxyIngressPort", "15010");
        annotations.put("appmesh.k8s.aws/proxyEgressPort", "15011");
        annotations.put("appmesh.k8s.aws/ignoredUID", "1500");
        annotations.put("appmesh.k8s.aws/ignoredGID", "1501");
        annotations.put("appmesh.k8s.aws/ipv6", "disabled");
        annotations.put("appmesh.k8s.aws/preview", "enabled");
        annotations.put("appmesh.k8s.aws/secretMounts", "front-tls:/certs");
        annotations.put("appmesh.k8s.aws/volumeMounts", "shared:/shared");
        annotations.put("appmesh.k8s.aws/sidecarEnv", "DD_ENV=qa1, ENV2=test");
        annotations.put("appmesh.k8s.aws/sidecarEnvJson", "[{\"TEAM\": \"payments\"}]");
        ObjectNode request = recorded("pod-v1beta1.json", "howto", annotations);
        JsonNode pod = admitted(request, webhook.review("/mutate-v1-pod", request));

        Map<String, String> init = env(container(pod, "initContainers", "proxyinit"));
        assertEquals("8080", init.get("APPMESH_APP_PORTS"));
        assertEquals("169.254.169.254,169.254.170.2", init.get("APPMESH_EGRESS_IGNORED_IP"));
        assertEquals("22,5432", init.get("APPMESH_EGRESS_IGNORED_PORTS"));
        assertEquals("15010", init.get("APPMESH_ENVOY_INGRESS_PORT"));
        assertEquals("15011", init.get("APPMESH_ENVOY_EGRESS_PORT"));
        assertEquals("1500", init.get("APPMESH_IGNORE_UID"));
        assertEquals("1501", init.get("APPMESH_IGNORE_GID"));
        assertEquals("0", init.get("APPMESH_ENABLE_IPV6"));

        JsonNode envoy = container(pod, "containers", "envoy");
        Map<String, String> env = env(envoy);
        assertEquals("1", env.get("APPMESH_PREVIEW"));
        assertEquals("qa1", env.get("DD_ENV"));
        assertEquals("test", env.get("ENV2"));
        assertEquals("payments", env.get("TEAM"));
        assertEquals("50m", envoy.path("resources").path("requests").path("cpu").asText());
        assertEquals("64Mi", envoy.path("resources").path("requests").path("memory").asText());
        assertEquals("500m", envoy.path("resources").path("limits").path("cpu").asText());
        assertEquals("256Mi", envoy.path("resources").path("limits").path("memory").asText());
        assertEquals(List.of("front-tls:/certs", "shared:/shared"), java.util.stream.StreamSupport.stream(envoy.path("volumeMounts").spliterator(), false)
                .map(m -> m.path("name").asText() + ":" + m.path("mountPath").asText()).toList());
        assertEquals("front-tls", pod.path("spec").path("volumes").get(0).path("secret").path("secretName").asText());

        // A malformed annotation refuses the pod, saying which and how it should look.
        ObjectNode bad = recorded("pod-v1.json", "howto", Map.of("appmesh.k8s.aws/sidecarEnv", "JUST_A_NAME"));
        JsonNode refused = webhook.review("/mutate-v1-pod", bad).path("response");
        assertFalse(refused.path("allowed").asBoolean());
        assertTrue(refused.path("status").path("message").asText().contains("sidecarEnv, expected KEY=value"), refused.toString());
    }

    @Test
    void fargatePodsAndTheCniAnnotationGetAnnotationsInsteadOfAnInitContainer() throws Exception {
        ObjectNode request = recorded("pod-v1.json", "howto", Map.of("appmesh.k8s.aws/appmeshCNI", "enabled"));
        JsonNode pod = admitted(request, webhook.review("/mutate-v1-pod", request));
        assertNull(container(pod, "initContainers", "proxyinit"));
        assertEquals("8080,9090", pod.path("metadata").path("annotations").path("appmesh.k8s.aws/ports").asText());
        assertEquals("15000", pod.path("metadata").path("annotations").path("appmesh.k8s.aws/proxyIngressPort").asText());
        assertTrue(container(pod, "containers", "envoy") != null);
    }

    @Test
    void aGatewayPodKeepsItsEnvoyContainerWithMeshworksImageAndIdentity() throws Exception {
        ObjectNode request = recorded("pod-v1.json", "howto", Map.of());
        ObjectNode object = (ObjectNode) request.path("request").path("object");
        ((ObjectNode) object.path("metadata").path("labels")).removeAll().put("app", "ingress-gw");
        ((ObjectNode) object.path("spec").path("containers").get(0)).put("name", "envoy").put("image",
                "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.34.13.3-prod");
        JsonNode pod = admitted(request, webhook.review("/mutate-v1-pod", request));
        JsonNode envoy = container(pod, "containers", "envoy");
        assertEquals("registry.example/meshwork/proxy:test", envoy.path("image").asText());
        assertEquals("mesh/howto-mesh/virtualGateway/ingress-gw_howto", env(envoy).get("APPMESH_RESOURCE_ARN"));
        assertEquals(1, pod.path("spec").path("containers").size());
        assertNull(container(pod, "initContainers", "proxyinit"), "a gateway takes traffic on its own port; no redirect");

        ((ObjectNode) object.path("metadata").path("annotations")).put("appmesh.k8s.aws/virtualGatewaySkipImageOverride", "enabled");
        JsonNode kept = admitted(request, webhook.review("/mutate-v1-pod", request));
        assertEquals("public.ecr.aws/appmesh/aws-appmesh-envoy:v1.34.13.3-prod", container(kept, "containers", "envoy").path("image").asText());

        // A gateway's pod without an envoy container is admitted as it is.
        ((ObjectNode) object.path("spec").path("containers").get(0)).put("name", "nginx");
        assertEquals(object, admitted(request, webhook.review("/mutate-v1-pod", request)));
    }

    @Test
    void customResourcesGetAppMeshsDefaultsAndUnsafeChangesAreRefused() throws Exception {
        ObjectNode review = (ObjectNode) SnapshotJson.mapper().readTree("""
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "c0ffee00-0000-4000-8000-000000000001", "operation": "CREATE", "namespace": "howto",
                   "kind": {"group": "appmesh.k8s.aws", "version": "v1beta2", "kind": "VirtualNode"},
                   "object": {"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualNode",
                     "metadata": {"name": "color-blue", "namespace": "howto"},
                     "spec": {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]}}}}
                """);
        JsonNode node = admitted(review, webhook.review("/mutate-appmesh-k8s-aws-v1beta2-virtualnode", review));
        assertEquals("color-blue_howto", node.path("spec").path("awsName").asText());
        assertEquals("howto-mesh", node.path("spec").path("meshRef").path("name").asText());
        assertEquals(cluster.get(AppMeshKind.MESH, null, "howto-mesh").getMetadata().getUid(), node.path("spec").path("meshRef").path("uid").asText());

        ObjectNode route = (ObjectNode) SnapshotJson.mapper().readTree("""
                {"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview",
                 "request": {"uid": "c0ffee00-0000-4000-8000-000000000002", "operation": "CREATE", "namespace": "howto",
                   "object": {"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "GatewayRoute",
                     "metadata": {"name": "color", "namespace": "howto", "labels": {"gateway": "ingress-gw"}},
                     "spec": {"httpRoute": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceRef": {"name": "color"}}}}}}}}}
                """);
        JsonNode gatewayRoute = admitted(route, webhook.review("/mutate-appmesh-k8s-aws-v1beta2-gatewayroute", route));
        assertEquals("ingress-gw", gatewayRoute.path("spec").path("virtualGatewayRef").path("name").asText());
        assertEquals("howto", gatewayRoute.path("spec").path("virtualGatewayRef").path("namespace").asText());

        ObjectNode update = (ObjectNode) SnapshotJson.mapper().readTree("""
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "c0ffee00-0000-4000-8000-000000000003", "operation": "UPDATE", "namespace": "howto",
                   "object": {"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualService", "metadata": {"name": "color", "namespace": "howto"},
                     "spec": {"awsName": "renamed.howto", "provider": {"virtualNode": {"virtualNodeRef": {"name": "a"}, "virtualNodeARN": "arn:aws:appmesh:us-east-1:000000000000:mesh/m/virtualNode/b"}}}},
                   "oldObject": {"apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualService", "metadata": {"name": "color", "namespace": "howto"},
                     "spec": {"awsName": "color.howto", "provider": {"virtualNode": {"virtualNodeRef": {"name": "a"}}}}}}}
                """);
        JsonNode refused = webhook.review("/validate-appmesh-k8s-aws-v1beta2-virtualservice", update).path("response");
        assertFalse(refused.path("allowed").asBoolean());
        assertEquals(403, refused.path("status").path("code").asInt());
        String message = refused.path("status").path("message").asText();
        assertTrue(message.contains("spec.awsName cannot be changed") && message.contains("exactly one of virtualNodeRef or virtualNodeARN"), message);

        ((ObjectNode) update.path("request").path("object").path("spec")).put("awsName", "color.howto");
        ((ObjectNode) update.path("request").path("object").path("spec").path("provider").path("virtualNode")).remove("virtualNodeARN");
        assertTrue(webhook.review("/validate-appmesh-k8s-aws-v1beta2-virtualservice", update).path("response").path("allowed").asBoolean());
    }

    @Test
    void whatIsNotAnAdmissionReviewGetsA4xx() throws Exception {
        assertEquals(400, webhook.post("/mutate-v1-pod", "{not json").statusCode());
        assertEquals(400, webhook.post("/mutate-v1-pod", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}").statusCode());
        assertEquals(404, webhook.post("/mutate-appmesh-k8s-aws-v1beta2-route", "{}").statusCode());
        assertEquals(200, webhook.get("/readyz").statusCode());
        assertEquals(200, webhook.get("/healthz").statusCode());
    }

    @Test
    void clientsThatConnectAndStallDoNotStopTheWebhook() throws Exception {
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            // Connections that never start TLS, and TLS connections that announce a body and never send it.
            for (int i = 0; i < 16; i++) {
                stalled.add(new java.net.Socket("127.0.0.1", controller.webhookPort()));
            }
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(X509Certificate[] c, String a) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            for (int i = 0; i < 8; i++) {
                var tls = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", controller.webhookPort());
                tls.startHandshake();
                tls.getOutputStream().write(("POST /mutate-v1-pod HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                stalled.add(tls);
            }
            long started = System.nanoTime();
            assertEquals(200, webhook.get("/healthz").statusCode());
            ObjectNode request = recorded("pod-v1.json", "howto", Map.of());
            assertTrue(webhook.review("/mutate-v1-pod", request).path("response").path("allowed").asBoolean());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(3).toNanos(), "answered while 24 clients stall");

            // A stalled client is cut off after the idle timeout.
            java.net.Socket first = stalled.get(0);
            first.setSoTimeout(20_000);
            assertEquals(-1, first.getInputStream().read(), "the server closed the stalled connection");
        } finally {
            for (java.net.Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void anEnabledPodThatNoNodeSelectsIsRefusedSoItsReplicaSetTriesAgain() throws Exception {
        ObjectNode request = recorded("pod-v1.json", "howto", Map.of());
        ((ObjectNode) request.path("request").path("object").path("metadata").path("labels")).put("app", "nobody");
        JsonNode refused = webhook.review("/mutate-v1-pod", request).path("response");
        assertFalse(refused.path("allowed").asBoolean());
        assertTrue(refused.path("status").path("message").asText().contains("no VirtualNode or VirtualGateway in howto selects"),
                refused.toString());
        // Opted out, the same pod is admitted as it is.
        ((ObjectNode) request.path("request").path("object").path("metadata").path("annotations")).put(PodInjector.INJECT, "disabled");
        assertEquals(request.path("request").path("object"), admitted(request, webhook.review("/mutate-v1-pod", request)));
    }

    @Test
    void annotationsCannotChangeTheProxysIdentityAndMalformedJsonIsRefused() throws Exception {
        ObjectNode request = recorded("pod-v1.json", "howto", Map.of("appmesh.k8s.aws/sidecarEnv",
                "APPMESH_RESOURCE_ARN=mesh/other/virtualNode/victim, TEAM=shop"));
        Map<String, String> env = env(container(admitted(request, webhook.review("/mutate-v1-pod", request)), "containers", "envoy"));
        assertEquals("mesh/howto-mesh/virtualNode/front_howto", env.get("APPMESH_RESOURCE_ARN"));
        assertEquals("shop", env.get("TEAM"));

        ObjectNode nested = recorded("pod-v1.json", "howto", Map.of("appmesh.k8s.aws/sidecarEnvJson", "[{\"A\": {\"b\": 1}}]"));
        JsonNode refused = webhook.review("/mutate-v1-pod", nested).path("response");
        assertFalse(refused.path("allowed").asBoolean());
        assertTrue(refused.path("status").path("message").asText().contains("sidecarEnvJson: A must have a string value"), refused.toString());
    }

    @Test
    void aFargatePodAnnotatedAgainstTheCniGetsTheInitContainer() throws Exception {
        ObjectNode request = recorded("pod-v1.json", "howto", Map.of("appmesh.k8s.aws/appmeshCNI", "disabled"));
        ((ObjectNode) request.path("request").path("object").path("metadata").path("labels")).put("eks.amazonaws.com/fargate-profile", "fp");
        JsonNode pod = admitted(request, webhook.review("/mutate-v1-pod", request));
        assertTrue(container(pod, "initContainers", "proxyinit") != null);
        ObjectNode fargate = recorded("pod-v1.json", "howto", Map.of());
        ((ObjectNode) fargate.path("request").path("object").path("metadata").path("labels")).put("eks.amazonaws.com/fargate-profile", "fp");
        assertNull(container(admitted(fargate, webhook.review("/mutate-v1-pod", fargate)), "initContainers", "proxyinit"));
    }
}
