package io.meshwork.packaging.image;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.meshwork.packaging.Await;
import io.meshwork.packaging.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.MeshData;
import software.amazon.awssdk.services.appmesh.model.NotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EKS controller image (eks-controller/target/meshwork-eks-controller-image.tar) run by runc as
 * config/manager/deployment.yaml runs it: uid and gid 65532, a read-only root file system with /tmp
 * writable (the Deployment's emptyDir), no capabilities, no privilege escalation. Its cluster is fabric8's mock API server (CRUD mode, the seven
 * CRDs of eks-controller/config/crd/bases applied) on this host, reached through a mounted
 * kubeconfig; its control API is the control API image in the same network namespace. Root-only;
 * skips elsewhere.
 */
class EksControllerImageIT {
    static final String MUTATING = "meshwork-mutating-webhook";
    static final ResourceDefinitionContext MESHES = new ResourceDefinitionContext.Builder()
            .withGroup("appmesh.k8s.aws").withVersion("v1beta2").withKind("Mesh").withPlural("meshes").withNamespaced(false).build();

    @TempDir
    static Path work;
    static NetworkNamespace ns;
    static ControlApiContainer api;
    static KubernetesMockServer apiServer;
    static KubernetesClient kube;
    static Bundle controllerBundle;
    static Container controller;

    @BeforeAll
    static void start() throws IOException {
        ImageHost.assumeImagesRunnable("EksControllerImageIT", "control-api", "eks-controller");
        ns = NetworkNamespace.create();
        api = ControlApiContainer.start(work.resolve("control-api"), ns);
        startApiServer();

        // As the Deployment: the image's user, readOnlyRootFilesystem, an emptyDir on /tmp, and its variables.
        Path kubeDir = Files.createDirectories(work.resolve("kube"));
        Files.writeString(kubeDir.resolve("config"), kubeconfig("http://" + ns.hostAddress() + ":" + apiServer.getPort()));
        controllerBundle = Bundle.unpack(ImageHost.archive("eks-controller"), work.resolve("eks-controller"))
                .network(ns)
                .readOnlyRootWithTmpfsTmp()
                .noCapabilitiesNoPrivilegeEscalation()
                .mountReadOnly(kubeDir, "/etc/meshwork-test/kube")
                .env("KUBECONFIG", "/etc/meshwork-test/kube/config")
                .env("MESHWORK_ENDPOINT", "http://" + ns.address() + ":8080")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_ACCESS_KEY_ID", ControlApiContainer.KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", ControlApiContainer.SECRET)
                .env("MESHWORK_WEBHOOK_PORT", "9443")
                .env("MESHWORK_WEBHOOK_CERT_DIR", "/tmp/k8s-webhook-server/serving-certs")
                .env("MESHWORK_CLOUDMAP_ENABLED", "false")
                .env("POD_NAMESPACE", "meshwork-system");
        controller = Container.start(controllerBundle, "mw-eks-controller");
        awaitReady();
    }

    /** The mock API server on the host side of the namespace's link, with the CRDs and what config/default would install. */
    private static void startApiServer() throws IOException {
        apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        apiServer.init(InetAddress.getByName(ns.hostAddress()), 0);
        kube = apiServer.createClient();
        List<Path> crds;
        try (Stream<Path> files = Files.list(ImageHost.ROOT.resolve("eks-controller/config/crd/bases"))) {
            crds = files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(7, crds.size(), "the seven appmesh.k8s.aws CRDs: " + crds);
        for (Path file : crds) {
            try (InputStream in = Files.newInputStream(file)) {
                CustomResourceDefinition crd = kube.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                kube.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            }
        }
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("meshwork-system").endMetadata().build()).create();
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .addToLabels("mesh", "image-mesh").endMetadata().build()).create();
        // The pod injector's configuration with no caBundle yet: the controller makes its certificate and fills it in.
        kube.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(MUTATING).endMetadata()
                .addNewWebhook().withName("mpod.appmesh.k8s.aws").withAdmissionReviewVersions("v1").withSideEffects("None")
                .withNewClientConfig().withNewService().withNamespace("meshwork-system").withName("meshwork-webhook-service")
                .withPath("/mutate-v1-pod").endService().endClientConfig().endWebhook()
                .build()).create();
    }

    private static String kubeconfig(String server) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: controller
                current-context: mock
                users:
                - name: controller
                  user:
                    token: image-test-token
                """.formatted(server);
    }

    /** The Deployment's readiness probe: GET https://POD:9443/readyz (the kubelet does not check the certificate). */
    private static String probe(String path) {
        return Command.run("curl", "-sk", "--max-time", "2", "-o", "/dev/null", "-w", "%{http_code}",
                "https://" + ns.address() + ":9443" + path).output().trim();
    }

    private static void awaitReady() {
        Await.until(Duration.ofSeconds(60), () -> "200".equals(probe("/readyz")),
                () -> "the controller image does not answer /readyz with 200 (last: " + probe("/readyz") + "):\n" + controller.log());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable running : new AutoCloseable[] {controller, kube, api, ns}) {
            try {
                if (running != null) {
                    running.close();
                }
            } catch (Exception e) {
                // go on cleaning up the others
            }
        }
        if (apiServer != null) {
            apiServer.destroy();
        }
    }

    @Test
    void withoutMeshworkEndpointItExitsNonZeroAndNamesTheVariable() {
        Bundle missing = controllerBundle.sibling(work.resolve("no-endpoint")).unsetEnv("MESHWORK_ENDPOINT");

        Command run = Container.runToEnd(missing, "mw-eks-controller-no-endpoint");

        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("MESHWORK_ENDPOINT"), "says which variable is missing: " + run.output());
    }

    @Test
    void isReadyAndHealthyOnItsWebhookPortAsUid65532WithAReadOnlyRootAndNoCapabilities() {
        assertEquals("200", probe("/readyz"));
        assertEquals("200", probe("/healthz"));
        assertEquals("Uid:\t65532\t65532\t65532\t65532", controller.status("Uid:"));
        assertEquals("Gid:\t65532\t65532\t65532\t65532", controller.status("Gid:"));
        assertTrue(controllerBundle.config().path("root").path("readonly").asBoolean());
        assertEquals("CapEff:\t0000000000000000", controller.status("CapEff:"));
        assertEquals("NoNewPrivs:\t1", controller.status("NoNewPrivs:"));
    }

    @Test
    void logsAtInfoWithTheImagesLoggingConfiguration() {
        String log = controller.log();

        assertTrue(log.contains("level=INFO logger=MeshworkController thread=main meshwork-controller: watching appmesh.k8s.aws/v1beta2"), log);
        assertFalse(log.contains("level=DEBUG"), "logback's default is DEBUG for everything: " + log);
    }

    @Test
    void writesTheCaOfTheCertificateItMadeIntoItsWebhookConfiguration() {
        MutatingWebhookConfiguration mutating = kube.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MUTATING).get();
        String caBundle = mutating.getWebhooks().get(0).getClientConfig().getCaBundle();

        assertTrue(caBundle != null && !caBundle.isEmpty(), "the caBundle is set: " + controller.log());
        // The certificate it serves is the one that CA signed (curl checks it against the bundle, by the Service's name).
        Path ca = work.resolve("webhook-ca.pem");
        try {
            Files.write(ca, Base64.getDecoder().decode(caBundle));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String verified = Command.run("curl", "-s", "--max-time", "2", "--cacert", ca.toString(),
                "--resolve", "meshwork-webhook-service.meshwork-system.svc:9443:" + ns.address(),
                "https://meshwork-webhook-service.meshwork-system.svc:9443/healthz").output();
        assertEquals("ok", verified);
    }

    @Test
    void aMeshCreatedInTheClusterIsCreatedInTheControlApiAndItsArnWrittenBack() {
        GenericKubernetesResource mesh = kube.getKubernetesSerialization().unmarshal("""
                apiVersion: appmesh.k8s.aws/v1beta2
                kind: Mesh
                metadata:
                  name: image-mesh
                spec:
                  namespaceSelector:
                    matchLabels:
                      mesh: image-mesh
                  egressFilter:
                    type: ALLOW_ALL
                """, GenericKubernetesResource.class);
        kube.genericKubernetesResources(MESHES).resource(mesh).create();

        AtomicReference<MeshData> created = new AtomicReference<>();
        try (AppMeshClient appMesh = api.client()) {
            Await.until(Duration.ofSeconds(30), () -> {
                try {
                    created.set(appMesh.describeMesh(b -> b.meshName("image-mesh")).mesh());
                    return true;
                } catch (NotFoundException notYet) {
                    return false;
                }
            }, () -> "the mesh is not in the control API:\n" + controller.log());
        }
        assertEquals("ALLOW_ALL", created.get().spec().egressFilter().typeAsString());

        Await.until(Duration.ofSeconds(30), () -> created.get().metadata().arn().equals(statusArn()),
                () -> "status.meshARN is not the control API's ARN " + created.get().metadata().arn() + ": " + statusArn());
    }

    @SuppressWarnings("unchecked")
    private static String statusArn() {
        GenericKubernetesResource r = kube.genericKubernetesResources(MESHES).withName("image-mesh").get();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map ? String.valueOf(((Map<String, Object>) map).get("meshARN")) : null;
    }
}
