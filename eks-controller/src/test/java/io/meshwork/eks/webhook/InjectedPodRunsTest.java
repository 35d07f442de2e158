package io.meshwork.eks.webhook;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.zjsonpatch.JsonPatch;
import io.meshwork.eks.MeshworkController;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.support.KubeletEmulation;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.eks.support.RunningController;
import io.meshwork.lambdahooks.support.LocalControlApi;
import io.meshwork.proxy.support.NetworkNamespaces;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.meshwork.eks.support.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pod the injector patches works for real (INTEGRATIONS.md §3, layer 3): a Deployment's pod,
 * as the API server sends it to the controller's real HTTPS webhook, is patched with the JSON Patch
 * the webhook answers; then the patched pod runs on this machine ({@link KubeletEmulation}): its
 * network namespace, the {@code proxyinit} init container ({@code bin/proxy-init} as root, with
 * exactly the init container's env), the {@code envoy} container ({@code bin/proxy} as the
 * container's user, with exactly its env) and the app. The sidecar's own readiness probe fails
 * while the proxy has no configuration and passes once it is LIVE; the app's call to its backend
 * virtual service, by the name and URL in its env, reaches the backend pod through the proxy,
 * only because the init container's rules redirected it; a call into the pod from a peer reaches
 * the app through the proxy's ingress. Root only (namespaces, iptables), as the other sidecar tests.
 */
class InjectedPodRunsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final String NAMESPACE = "shop";
    private static final String MESH = "shop";
    /** A subnet of its own (the proxy's sidecar tests use 10.99.0.0/24, bench/ 10.98.0.0/24): they may run alongside. */
    private static final String BRIDGE = "10.97.0.254";
    private static final String FRONT_POD_IP = "10.97.0.1";
    private static final String BACKEND_POD_IP = "10.97.0.2";
    /** The backend Service's ClusterIP, as cluster DNS would answer for it: nothing listens there, only the redirect makes it work. */
    private static final String BACKEND_CLUSTER_IP = "172.20.14.7";
    private static final String BACKEND_SERVICE = "backend.shop.svc.cluster.local";
    /** The app image's user: anyone but the proxy's 1337, whose traffic the rules let out unredirected. */
    private static final int APP_UID = 1000;
    private static final String IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private LocalControlApi api;
    private MockCluster cluster;
    private MeshworkController controller;
    private NetworkNamespaces net;
    private Path work;
    private final List<Path> hostFiles = new ArrayList<>();

    @BeforeEach
    void requireRoot() {
        String why = NetworkNamespaces.unavailableBecause();
        assumeTrue(why == null, why);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[]{net, controller, cluster, api}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // go on cleaning up
            }
        }
        hostFiles.forEach(InjectedPodRunsTest::delete);
        delete(work);
    }

    @Test
    void theInjectedPodGetsReadyAndItsTrafficGoesThroughTheProxyBothWays() throws Exception {
        proxyBuilt();
        work = Files.createTempDirectory("mw-pod-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        net = NetworkNamespaces.create("mwpod", BRIDGE);

        // The control API, reachable from the pods' network (on EKS: its in-cluster Service); the
        // controller tells the injector that URL for the proxies (MESHWORK_PROXY_CONTROL_API_URL), so
        // the patched pod's PROXY_CONTROL_API_URL is used as it is.
        api = new LocalControlApi(Map.of("micronaut.server.host", "0.0.0.0"));
        String podsControlApi = "http://" + BRIDGE + ":" + api.port();
        cluster = new MockCluster();
        cluster.namespace(NAMESPACE, Map.of("mesh", MESH, PodInjector.INJECT, "enabled"));
        controller = RunningController.start(cluster, api, null, Map.of("MESHWORK_PROXY_CONTROL_API_URL", podsControlApi));
        meshObjects();

        // The Deployment's pod through the controller's real webhook; the pod to run is the patched one.
        JsonNode review = JSON.readTree(resource("admission/front-pod-create-v1.json"));
        JsonNode answer = admit(review);
        JsonNode response = answer.path("response");
        assertEquals("admission.k8s.io/v1", answer.path("apiVersion").asString(""), answer.toString());
        assertEquals(review.path("request").path("uid").asString(), response.path("uid").asString(""), answer.toString());
        assertTrue(response.path("allowed").asBoolean(false), answer.toString());
        assertEquals("JSONPatch", response.path("patchType").asString(""), answer.toString());
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asString()));
        JsonNode pod = JsonPatch.apply(patch, review.path("request").path("object"));
        System.out.println("InjectedPodRunsTest: the patched pod: " + pod);

        // The pod on this machine: its network namespace, the name the app calls resolving to the
        // backend Service's ClusterIP (cluster DNS's answer), and a peer pod running the backend.
        String podNs = net.task("front", FRONT_POD_IP);
        String peerNs = net.task("back", BACKEND_POD_IP);
        Path etc = Files.createDirectories(Path.of("/etc/netns", podNs));
        hostFiles.add(etc);
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n" + BACKEND_CLUSTER_IP + " " + BACKEND_SERVICE + "\n");
        Path echoApp = Path.of(InjectedPodRunsTest.class.getResource("/pod/echo_app.py").toURI());
        net.start(peerNs, APP_UID, Map.of(), work.resolve("backend.log"), "/usr/bin/python3", echoApp.toString(), "backend", "8080");

        KubeletEmulation kubelet = new KubeletEmulation(net, podNs, pod);
        // The proxy image stood in for by this checkout: its PATH has proxy-init (the image's
        // /opt/meshwork/bin is bin/ here), its entry point is the launcher bin/proxy runs, its user 1337.
        Map<String, String> proxyImageEnv = Map.of("PATH", REPO.resolve("bin") + ":" + IMAGE_PATH);
        KubeletEmulation.Image proxyImage = new KubeletEmulation.Image(List.of(REPO.resolve("bin/proxy").toString()), proxyImageEnv, 1337);
        KubeletEmulation.Image appImage = new KubeletEmulation.Image(List.of("/usr/bin/python3", echoApp.toString(), "front", "8080"),
                Map.of("PATH", IMAGE_PATH), APP_UID);

        // Init container: proxy-init enable, as root with NET_ADMIN, with exactly the injected env.
        NetworkNamespaces.Result init = kubelet.runInit(PodInjector.INIT, proxyImage);
        assertEquals(0, init.exitCode(), "proxyinit failed: " + init.output());
        String rules = net.exec(podNs, Map.of(), "iptables-save", "-t", "nat").output();
        assertTrue(rules.contains("-A APPMESH_INGRESS -p tcp -m multiport --dports 8080 -j REDIRECT --to-ports 15000"), rules);
        assertTrue(rules.contains("-A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN"), rules);

        kubelet.start("app", appImage, Map.of(), work.resolve("app.log"));

        // The proxy's credentials: a Meshwork access key. On EKS there is none: the pod has IRSA's
        // AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (readable by 1337 thanks to the fsGroup the
        // injector sets), with which the proxy logs in to the control API (the AWS login). The key's
        // policy does not allow the proxy its configuration yet, as a role not yet mapped.
        String frontArn = "arn:aws:appmesh:us-east-1:000000000000:mesh/" + MESH + "/virtualNode/front_" + NAMESPACE;
        SignedControlApiClient admin = new SignedControlApiClient(api.endpoint(), "us-east-1", api.root(),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        JsonNode key = JSON.readTree(call(admin, "POST", "/meshwork/v1/access-keys", """
                {"name": "front-pod", "policy": {"Statement": [
                  {"Effect": "Allow", "Action": "appmesh:DescribeVirtualNode", "Resource": "%s"}]}}""".formatted(frontArn)));
        Path data = Files.createDirectory(work.resolve("proxy-data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> kubernetesGives = new LinkedHashMap<>();
        kubernetesGives.put("AWS_ACCESS_KEY_ID", key.path("accessKeyId").asString());
        kubernetesGives.put("AWS_SECRET_ACCESS_KEY", key.path("secretAccessKey").asString());
        // The image's /var/lib/meshwork/proxy (owned by 1337); here a directory of this pod's own, so
        // that no earlier run's last good configuration is found in a shared /tmp.
        kubernetesGives.put("PROXY_DATA_DIR", data.toString());

        NetworkNamespaces.Result beforeStart = kubelet.readinessProbe(PodInjector.SIDECAR, proxyImage, kubernetesGives);
        assertNotEquals(0, beforeStart.exitCode(), "the probe fails while no proxy runs: " + beforeStart.output());

        Path proxyLog = work.resolve("envoy.log");
        Process proxy = kubelet.start(PodInjector.SIDECAR, proxyImage, kubernetesGives, proxyLog);
        Map<String, String> envoyEnv = kubelet.env(PodInjector.SIDECAR);
        String adminUrl = "http://127.0.0.1:" + envoyEnv.get("ENVOY_ADMIN_ACCESS_PORT");

        // Running but refused its configuration: /server_info answers, not LIVE, and the probe fails.
        withLog(proxyLog, () -> await("the proxy's admin port to answer INITIALIZING", WAIT, () -> {
            assertTrue(proxy.isAlive(), "the proxy exited");
            return net.exec(podNs, Map.of(), "curl", "-s", "-m", "2", adminUrl + "/server_info").output().contains("INITIALIZING");
        }));
        NetworkNamespaces.Result unconfigured = kubelet.readinessProbe(PodInjector.SIDECAR, proxyImage, kubernetesGives);
        assertNotEquals(0, unconfigured.exitCode(), "the probe fails while the proxy has no configuration");

        // The policy the proxy needs, as App Mesh's Envoy needed it: the proxy gets its configuration, LIVE.
        call(admin, "PUT", "/meshwork/v1/access-keys/" + key.path("accessKeyId").asString() + "/policy", """
                {"Statement": [{"Effect": "Allow", "Action": "appmesh:StreamAggregatedResources", "Resource": "%s"}]}"""
                .formatted(frontArn));
        long granted = System.nanoTime();
        withLog(proxyLog, () -> await("the readiness probe to pass", WAIT, () -> {
            assertTrue(proxy.isAlive(), "the proxy exited");
            return kubelet.readinessProbe(PodInjector.SIDECAR, proxyImage, kubernetesGives).exitCode() == 0;
        }));
        System.out.printf("InjectedPodRunsTest: ready %d ms after the policy allowed the proxy%n", (System.nanoTime() - granted) / 1_000_000);

        // Outbound: the app (not uid 1337) calls the backend by the URL in its env. The name resolves
        // to the ClusterIP nobody serves here; the rules send the connection to the proxy, which
        // routes it by Host to the backend virtual service's node, the backend pod's address.
        String backendUrl = kubelet.env("app").get("BACKEND_URL");
        long egressBefore = requests(podNs, adminUrl, "egress");
        NetworkNamespaces.Result call = kubelet.exec("app", appImage, Map.of(), List.of("curl", "-s", "-m", "10", backendUrl + "/orders?id=7"));
        assertEquals(0, call.exitCode(), call.output() + log(proxyLog));
        JsonNode seen = JSON.readTree(call.output());
        assertEquals("backend", seen.path("app").asString(""), seen.toString());
        assertEquals("/orders?id=7", seen.path("path").asString(""), seen.toString());
        assertEquals(FRONT_POD_IP, seen.path("client").asString(""), "from the front pod: " + seen);
        assertEquals(BACKEND_SERVICE + ":8080", seen.path("headers").path("host").asString(""), seen.toString());
        assertTrue(seen.path("headers").has("x-request-id"), "the proxy added its request id on the way: " + seen);
        assertEquals(egressBefore + 1, requests(podNs, adminUrl, "egress"), "the call went out through the pod's proxy");

        // The proxy's own user is let out unredirected: the same call from uid 1337 finds nobody at the ClusterIP.
        NetworkNamespaces.Result bypass = kubelet.exec(PodInjector.SIDECAR, proxyImage, kubernetesGives,
                List.of("curl", "-s", "-m", "2", "-o", "/dev/null", "-w", "%{http_code}", backendUrl + "/"));
        assertNotEquals(0, bypass.exitCode(), "without the redirect nothing answers at the ClusterIP: " + bypass.output());

        // Inbound: a peer calls the pod's app port; the rules hand the connection to the proxy's
        // ingress (15000), which delivers it to the app on 127.0.0.1.
        long ingressBefore = requests(podNs, adminUrl, "ingress");
        NetworkNamespaces.Result inbound = net.exec(peerNs, Map.of(), "curl", "-s", "-m", "10", "http://" + FRONT_POD_IP + ":8080/hello");
        assertEquals(0, inbound.exitCode(), inbound.output() + log(proxyLog));
        JsonNode front = JSON.readTree(inbound.output());
        assertEquals("front", front.path("app").asString(""), front.toString());
        assertEquals("127.0.0.1", front.path("client").asString(""), "the app got it from the proxy, not from the peer: " + front);
        assertTrue(front.path("headers").has("x-request-id"), front.toString());
        assertEquals(ingressBefore + 1, requests(podNs, adminUrl, "ingress"), "the call came in through the pod's proxy");
        String proxyOutput = log(proxyLog);
        System.out.println("InjectedPodRunsTest: the envoy container's output:" + proxyOutput);
        // Every variable the injector set is one the proxy reads (or a switch left off): it named none as ignored.
        assertFalse(proxyOutput.contains("does not support, ignored"), proxyOutput);
    }

    /** The mesh the pod belongs to, as a user applies it; back once the controller made it in the control API. */
    private void meshObjects() {
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata: {name: %s}
                spec:
                  namespaceSelector: {matchLabels: {mesh: %s}}
                """.formatted(MESH, MESH));
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: backend, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: backend}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  serviceDiscovery: {dns: {hostname: "%s"}}
                """.formatted(BACKEND_POD_IP));
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualService
                metadata: {name: backend, namespace: shop}
                spec:
                  awsName: %s
                  provider:
                    virtualNode: {virtualNodeRef: {name: backend}}
                """.formatted(BACKEND_SERVICE));
        cluster.create("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: VirtualNode
                metadata: {name: front, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: front}}
                  listeners: [{portMapping: {port: 8080, protocol: http}}]
                  backends:
                    - virtualService: {virtualServiceRef: {name: backend}}
                  serviceDiscovery: {dns: {hostname: front.shop.svc.cluster.local}}
                """);
        for (var object : List.of(Map.entry(AppMeshKind.VIRTUAL_NODE, "backend"), Map.entry(AppMeshKind.VIRTUAL_SERVICE, "backend"),
                Map.entry(AppMeshKind.VIRTUAL_NODE, "front"))) {
            await(object.getKey().kind() + " " + object.getValue() + " in the control API", WAIT, () -> {
                GenericKubernetesResource r = cluster.get(object.getKey(), NAMESPACE, object.getValue());
                return r != null && !MeshObject.of(r).status().path(object.getKey().statusArnField()).asText("").isEmpty();
            });
        }
    }

    /** POSTs the review to the controller's webhook over HTTPS, trusting the CA it would put in the webhook configuration. */
    private JsonNode admit(JsonNode review) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("webhook-ca", CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(controller.certificate().caBundle().getBytes(StandardCharsets.US_ASCII))));
        TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusted.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trusted.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + controller.webhookPort() + AdmissionHandler.POD_PATH))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(review.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static String call(SignedControlApiClient client, String method, String path, String body) throws Exception {
        HttpResponse<byte[]> response = client.send(method, path, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), method + " " + path + ": " + text);
        return text;
    }

    /** Requests the pod's proxy has counted in one direction (its admin port, from inside the pod). */
    private long requests(String ns, String adminUrl, String direction) {
        String stats = net.exec(ns, Map.of(), "curl", "-s", "-m", "5", adminUrl + "/stats/prometheus").output();
        // Labels come in name order, so direction is one label among several: match it wherever it is.
        String label = "direction=\"" + direction + "\"";
        return stats.lines().filter(l -> l.startsWith("meshwork_requests_total{") && l.substring(0, l.indexOf('}')).contains(label))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * bin/proxy builds the proxy itself when its jar is missing or older than the sources; as uid
     * 1337 it could not, so the jar (mvn -pl proxy -am package) must be current before the pod runs.
     */
    private static void proxyBuilt() throws IOException {
        // The jar bin/proxy runs, and what its rebuild check compares it with.
        Path jar = REPO.resolve("proxy/target/meshwork-proxy.jar");
        String build = " (cd " + REPO + " && mvn -B -o -q -pl proxy -am package -DskipTests)";
        assertTrue(Files.isRegularFile(jar), "build the proxy first:" + build);
        FileTime built = Files.getLastModifiedTime(jar);
        for (Path sources : List.of(REPO.resolve("proxy/src/main"), REPO.resolve("proxy-api/src/main"), REPO.resolve("proxy/pom.xml"),
                REPO.resolve("proxy-api/pom.xml"), REPO.resolve("pom.xml"))) {
            try (Stream<Path> files = Files.walk(sources)) {
                Path newer = files.filter(f -> {
                    try {
                        return Files.getLastModifiedTime(f).compareTo(built) > 0;
                    } catch (IOException e) {
                        return false;
                    }
                }).findFirst().orElse(null);
                assertEquals(null, newer, "the proxy's jar is older than " + newer + "; rebuild it:" + build);
            }
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = InjectedPodRunsTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Waits, and on failure says what the proxy logged. */
    private static void withLog(Path file, Runnable waiting) {
        try {
            waiting.run();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + log(file), e);
        }
    }

    private static String log(Path file) {
        try {
            return Files.exists(file) ? "\n--- " + file + ":\n" + Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
