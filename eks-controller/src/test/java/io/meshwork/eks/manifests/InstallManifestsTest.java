package io.meshwork.eks.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What `kubectl kustomize config/default` and `config/certmanager` install: every object reads as
 * its fabric8 type, the webhooks are App Mesh's (names, paths, selectors, review versions) and
 * reach the controller's pods, the Deployment is configured and probed as the controller
 * expects, and the RBAC grants what the controller does and no more.
 */
class InstallManifestsTest {

  private static final String NAMESPACE = "meshwork-system";
  private static final String APP_LABEL = "app.kubernetes.io/name";
  private static final String INJECT_CA = "cert-manager.io/inject-ca-from";
  private static final List<String> APP_MESH_KINDS = List.of(
      "mesh", "virtualnode", "virtualservice", "virtualrouter", "virtualgateway", "gatewayroute",
      "backendgroup");
  private static final Map<String, String> PLURALS = Map.of(
      "mesh", "meshes", "virtualnode", "virtualnodes", "virtualservice", "virtualservices",
      "virtualrouter", "virtualrouters", "virtualgateway", "virtualgateways",
      "gatewayroute", "gatewayroutes", "backendgroup", "backendgroups");

  private static List<HasMetadata> defaultInstall;
  private static List<HasMetadata> certManagerInstall;

  @BeforeAll
  static void build() {
    defaultInstall = Manifests.kustomizeObjects(Manifests.configDir().resolve("default"));
    certManagerInstall = Manifests.kustomizeObjects(Manifests.configDir().resolve("certmanager"));
  }

  // ------------------------------------------------------------------------------------------
  // Inventory

  @Test
  void defaultInstallsTheNamespaceCrdsRbacControllerAndWebhooks() {
    Set<String> expected = new TreeSet<>(Set.of(
        "Namespace//meshwork-system",
        "ServiceAccount/meshwork-system/meshwork-controller",
        "ClusterRole//meshwork-controller",
        "ClusterRoleBinding//meshwork-controller",
        "Role/meshwork-system/meshwork-controller",
        "RoleBinding/meshwork-system/meshwork-controller",
        "Deployment/meshwork-system/meshwork-controller",
        "Service/meshwork-system/meshwork-webhook-service",
        "MutatingWebhookConfiguration//meshwork-mutating-webhook",
        "ValidatingWebhookConfiguration//meshwork-validating-webhook"));
    PLURALS.values().forEach(p ->
        expected.add("CustomResourceDefinition//" + p + ".appmesh.k8s.aws"));
    assertEquals(expected, inventory(defaultInstall));
  }

  @Test
  void certManagerAddsOnlyAnIssuerAndACertificate() {
    Set<String> added = inventory(certManagerInstall);
    added.removeAll(inventory(defaultInstall));
    assertEquals(Set.of("Certificate/meshwork-system/meshwork-webhook-cert",
        "Issuer/meshwork-system/meshwork-selfsigned-issuer"), added);
    assertTrue(inventory(certManagerInstall).containsAll(inventory(defaultInstall)));
  }

  @Test
  void everyObjectReadsAsItsTypedClass() {
    for (HasMetadata object : defaultInstall) {
      assertFalse(object instanceof GenericKubernetesResource,
          object.getKind() + " " + object.getMetadata().getName() + " is not a known type");
    }
    for (HasMetadata object : certManagerInstall) {
      if (object instanceof GenericKubernetesResource) {
        assertEquals("cert-manager.io/v1", object.getApiVersion(), object.getKind());
      }
    }
    assertEquals(7, ofType(defaultInstall, CustomResourceDefinition.class).size());
  }

  @Test
  void namespacedObjectsAreInMeshworkSystem() {
    for (List<HasMetadata> install : List.of(defaultInstall, certManagerInstall)) {
      for (HasMetadata object : install) {
        boolean clusterScoped = Set.of("Namespace", "CustomResourceDefinition", "ClusterRole",
            "ClusterRoleBinding", "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration").contains(object.getKind());
        assertEquals(clusterScoped ? null : NAMESPACE, object.getMetadata().getNamespace(),
            object.getKind() + " " + object.getMetadata().getName());
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Webhooks

  @Test
  void podWebhookInjectsOnCreateInLabelledNamespacesAndFailsClosed() {
    MutatingWebhookConfiguration mutating = only(defaultInstall, MutatingWebhookConfiguration.class);
    MutatingWebhook pod = mutating.getWebhooks().stream()
        .filter(w -> w.getName().equals("mpod.appmesh.k8s.aws")).findFirst().orElseThrow();
    assertEquals("/mutate-v1-pod", pod.getClientConfig().getService().getPath());
    assertEquals("Fail", pod.getFailurePolicy());
    assertEquals(1, pod.getRules().size());
    RuleWithOperations rule = pod.getRules().get(0);
    assertEquals(List.of(""), rule.getApiGroups());
    assertEquals(List.of("v1"), rule.getApiVersions());
    assertEquals(List.of("pods"), rule.getResources());
    assertEquals(List.of("CREATE"), rule.getOperations());

    Map<String, String> matchLabels = pod.getNamespaceSelector().getMatchLabels();
    assertTrue(matchLabels == null || matchLabels.isEmpty(), "only the expression selects");
    List<LabelSelectorRequirement> expressions = pod.getNamespaceSelector().getMatchExpressions();
    assertEquals(1, expressions.size());
    assertEquals("appmesh.k8s.aws/sidecarInjectorWebhook", expressions.get(0).getKey());
    assertEquals("In", expressions.get(0).getOperator());
    assertEquals(List.of("enabled", "disabled"), expressions.get(0).getValues());
    assertNull(pod.getObjectSelector(), "pods are chosen by namespace label and annotation");
  }

  @Test
  void mutatingWebhooksHaveAppMeshNamesAndPaths() {
    MutatingWebhookConfiguration mutating = only(defaultInstall, MutatingWebhookConfiguration.class);
    assertEquals("meshwork-mutating-webhook", mutating.getMetadata().getName());
    assertEquals("meshwork-controller", mutating.getMetadata().getLabels().get(APP_LABEL));
    List<String> names = new ArrayList<>(List.of("mpod.appmesh.k8s.aws"));
    APP_MESH_KINDS.forEach(k -> names.add("m" + k + ".appmesh.k8s.aws"));
    assertEquals(names, mutating.getWebhooks().stream().map(MutatingWebhook::getName).toList());
    for (String kind : APP_MESH_KINDS) {
      MutatingWebhook webhook = mutating.getWebhooks().stream()
          .filter(w -> w.getName().equals("m" + kind + ".appmesh.k8s.aws")).findFirst().orElseThrow();
      assertEquals("/mutate-appmesh-k8s-aws-v1beta2-" + kind,
          webhook.getClientConfig().getService().getPath());
      assertAppMeshRule(webhook.getRules(), kind);
      assertEquals("Fail", webhook.getFailurePolicy(), webhook.getName());
      assertNull(webhook.getNamespaceSelector(), webhook.getName() + " sees every namespace");
    }
    for (MutatingWebhook webhook : mutating.getWebhooks()) {
      assertEquals(List.of("v1", "v1beta1"), webhook.getAdmissionReviewVersions(), webhook.getName());
      assertEquals("None", webhook.getSideEffects(), webhook.getName());
    }
  }

  @Test
  void validatingWebhooksHaveAppMeshNamesAndPaths() {
    ValidatingWebhookConfiguration validating =
        only(defaultInstall, ValidatingWebhookConfiguration.class);
    assertEquals("meshwork-validating-webhook", validating.getMetadata().getName());
    assertEquals("meshwork-controller", validating.getMetadata().getLabels().get(APP_LABEL));
    assertEquals(APP_MESH_KINDS.stream().map(k -> "v" + k + ".appmesh.k8s.aws").toList(),
        validating.getWebhooks().stream().map(ValidatingWebhook::getName).toList());
    for (ValidatingWebhook webhook : validating.getWebhooks()) {
      String kind = webhook.getName().substring(1, webhook.getName().indexOf('.'));
      assertEquals("/validate-appmesh-k8s-aws-v1beta2-" + kind,
          webhook.getClientConfig().getService().getPath());
      assertAppMeshRule(webhook.getRules(), kind);
      assertEquals(List.of("v1", "v1beta1"), webhook.getAdmissionReviewVersions(), webhook.getName());
      assertEquals("None", webhook.getSideEffects(), webhook.getName());
      assertEquals("Fail", webhook.getFailurePolicy(), webhook.getName());
    }
  }

  private static void assertAppMeshRule(List<RuleWithOperations> rules, String kind) {
    assertEquals(1, rules.size(), kind);
    RuleWithOperations rule = rules.get(0);
    assertEquals(List.of("appmesh.k8s.aws"), rule.getApiGroups(), kind);
    assertEquals(List.of("v1beta2"), rule.getApiVersions(), kind);
    assertEquals(List.of(PLURALS.get(kind)), rule.getResources(), kind);
    assertEquals(List.of("CREATE", "UPDATE"), rule.getOperations(), kind);
  }

  @Test
  void webhooksReachTheControllerPodsThroughTheService() {
    Service service = only(defaultInstall, Service.class);
    Deployment deployment = only(defaultInstall, Deployment.class);
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> selector = service.getSpec().getSelector();
    assertFalse(selector.isEmpty());
    selector.forEach((k, v) -> assertEquals(v, podLabels.get(k), "Service selects pods by " + k));
    deployment.getSpec().getSelector().getMatchLabels().forEach((k, v) ->
        assertEquals(v, podLabels.get(k), "Deployment selects its own pods by " + k));

    assertEquals(1, service.getSpec().getPorts().size());
    ServicePort port = service.getSpec().getPorts().get(0);
    assertEquals(443, port.getPort());
    Container container = controller(deployment);
    int target = port.getTargetPort().getIntVal() != null ? port.getTargetPort().getIntVal()
        : container.getPorts().stream()
            .filter(p -> p.getName().equals(port.getTargetPort().getStrVal()))
            .map(ContainerPort::getContainerPort).findFirst()
            .orElseThrow(() -> new AssertionError("no container port " + port.getTargetPort()));
    assertEquals(9443, target);

    List<ServiceReference> references = new ArrayList<>();
    only(defaultInstall, MutatingWebhookConfiguration.class).getWebhooks()
        .forEach(w -> references.add(w.getClientConfig().getService()));
    only(defaultInstall, ValidatingWebhookConfiguration.class).getWebhooks()
        .forEach(w -> references.add(w.getClientConfig().getService()));
    assertEquals(15, references.size());
    for (ServiceReference reference : references) {
      assertEquals(service.getMetadata().getName(), reference.getName(), reference.getPath());
      assertEquals(service.getMetadata().getNamespace(), reference.getNamespace(), reference.getPath());
      assertTrue(reference.getPort() == null || reference.getPort() == 443, reference.getPath());
    }
  }

  @Test
  void defaultLeavesTheCaBundleToTheController() {
    only(defaultInstall, MutatingWebhookConfiguration.class).getWebhooks().forEach(w ->
        assertNull(w.getClientConfig().getCaBundle(), w.getName()));
    only(defaultInstall, ValidatingWebhookConfiguration.class).getWebhooks().forEach(w ->
        assertNull(w.getClientConfig().getCaBundle(), w.getName()));
    for (HasMetadata object : defaultInstall) {
      Map<String, String> annotations = object.getMetadata().getAnnotations();
      assertTrue(annotations == null || !annotations.containsKey(INJECT_CA), object.getKind());
    }
    // The controller writes its own certificate under the cert dir: it must be writable.
    Deployment deployment = only(defaultInstall, Deployment.class);
    String certDir = env(controller(deployment), "MESHWORK_WEBHOOK_CERT_DIR").getValue();
    VolumeMount mount = mountHolding(controller(deployment), certDir);
    assertFalse(Boolean.TRUE.equals(mount.getReadOnly()), mount.getMountPath());
    assertNotNull(volume(deployment, mount.getName()).getEmptyDir(),
        certDir + " is on an emptyDir");
  }

  // ------------------------------------------------------------------------------------------
  // cert-manager

  @Test
  void certManagerCertificateCoversTheServiceAndIsMountedWhereTheControllerReadsIt() {
    Service service = only(certManagerInstall, Service.class);
    GenericKubernetesResource certificate = generic(certManagerInstall, "Certificate");
    GenericKubernetesResource issuer = generic(certManagerInstall, "Issuer");
    Map<String, Object> spec = spec(certificate);

    String host = service.getMetadata().getName() + "." + service.getMetadata().getNamespace();
    assertEquals(List.of(host + ".svc", host + ".svc.cluster.local"), spec.get("dnsNames"));
    assertEquals(Map.of("kind", "Issuer", "name", issuer.getMetadata().getName()),
        spec.get("issuerRef"));
    assertEquals(Map.of(), spec(issuer).get("selfSigned"));

    Deployment deployment = only(certManagerInstall, Deployment.class);
    Container container = controller(deployment);
    String certDir = env(container, "MESHWORK_WEBHOOK_CERT_DIR").getValue();
    VolumeMount mount = container.getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals(certDir)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + certDir));
    assertEquals(Boolean.TRUE, mount.getReadOnly());
    assertEquals(spec.get("secretName"), volume(deployment, mount.getName()).getSecret().getSecretName());
    assertEquals("meshwork-webhook-server-cert", spec.get("secretName"));
    assertNotNull(mountHolding(container, "/tmp/x").getName(), "/tmp stays writable");
  }

  @Test
  void certManagerInjectsTheCertificatesCaIntoBothWebhookConfigurations() {
    GenericKubernetesResource certificate = generic(certManagerInstall, "Certificate");
    String expected = certificate.getMetadata().getNamespace() + "/"
        + certificate.getMetadata().getName();
    assertEquals("meshwork-system/meshwork-webhook-cert", expected);
    assertEquals(expected, only(certManagerInstall, MutatingWebhookConfiguration.class)
        .getMetadata().getAnnotations().get(INJECT_CA));
    assertEquals(expected, only(certManagerInstall, ValidatingWebhookConfiguration.class)
        .getMetadata().getAnnotations().get(INJECT_CA));
    for (CustomResourceDefinition crd : ofType(certManagerInstall, CustomResourceDefinition.class)) {
      assertNull(crd.getSpec().getConversion(), "no conversion webhook, so no CA injection");
    }
  }

  // ------------------------------------------------------------------------------------------
  // The Deployment

  @Test
  void controllerIsConfiguredThroughItsEnvironment() {
    Deployment deployment = only(defaultInstall, Deployment.class);
    assertEquals(1, deployment.getSpec().getReplicas());
    Container container = controller(deployment);
    assertEquals("meshwork/eks-controller:0.1.0", container.getImage());
    assertEquals(List.of("MESHWORK_ENDPOINT", "AWS_REGION", "MESHWORK_WEBHOOK_PORT",
            "MESHWORK_WEBHOOK_CERT_DIR", "MESHWORK_PROXY_IMAGE", "MESHWORK_PROXY_INIT_IMAGE",
            "POD_NAMESPACE"),
        container.getEnv().stream().map(EnvVar::getName).toList());
    assertEquals("https://meshwork.internal", env(container, "MESHWORK_ENDPOINT").getValue());
    assertFalse(env(container, "AWS_REGION").getValue().isBlank());
    assertEquals("/tmp/k8s-webhook-server/serving-certs",
        env(container, "MESHWORK_WEBHOOK_CERT_DIR").getValue());
    assertEquals("meshwork/proxy:0.1.0", env(container, "MESHWORK_PROXY_IMAGE").getValue());
    assertEquals("meshwork/proxy:0.1.0", env(container, "MESHWORK_PROXY_INIT_IMAGE").getValue());
    assertEquals("metadata.namespace",
        env(container, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());

    ContainerPort webhookPort = container.getPorts().stream()
        .filter(p -> "webhook-server".equals(p.getName())).findFirst().orElseThrow();
    assertEquals(9443, webhookPort.getContainerPort());
    assertEquals(String.valueOf(webhookPort.getContainerPort()),
        env(container, "MESHWORK_WEBHOOK_PORT").getValue(), "the port the controller listens on");
    assertEquals("meshwork-controller", deployment.getSpec().getTemplate().getSpec()
        .getServiceAccountName());
    assertEquals("meshwork-controller", only(defaultInstall, ServiceAccount.class)
        .getMetadata().getName());
  }

  @Test
  void probesAskTheWebhookServerOverHttps() {
    Container container = controller(only(defaultInstall, Deployment.class));
    HTTPGetAction readiness = container.getReadinessProbe().getHttpGet();
    HTTPGetAction liveness = container.getLivenessProbe().getHttpGet();
    assertEquals("/readyz", readiness.getPath());
    assertEquals("/healthz", liveness.getPath());
    for (HTTPGetAction probe : List.of(readiness, liveness)) {
      assertEquals("HTTPS", probe.getScheme(), probe.getPath());
      assertEquals(9443, probe.getPort().getIntVal() != null ? probe.getPort().getIntVal()
          : container.getPorts().stream().filter(p -> p.getName().equals(probe.getPort().getStrVal()))
              .findFirst().orElseThrow().getContainerPort(), probe.getPath());
    }
  }

  @Test
  void controllerRunsAsNonRootOnAReadOnlyRootWithAWritableTmp() {
    Deployment deployment = only(defaultInstall, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = controller(deployment);
    boolean nonRoot = Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot())
        || Boolean.TRUE.equals(container.getSecurityContext().getRunAsNonRoot());
    assertTrue(nonRoot, "runAsNonRoot");
    Long user = container.getSecurityContext().getRunAsUser() != null
        ? container.getSecurityContext().getRunAsUser() : pod.getSecurityContext().getRunAsUser();
    assertTrue(user != null && user != 0, "a numeric non-root user, so runAsNonRoot can be checked");
    assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());

    VolumeMount tmp = container.getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
    assertNotNull(volume(deployment, tmp.getName()).getEmptyDir(), "/tmp is an emptyDir");

    Map<String, ?> requests = container.getResources().getRequests();
    Map<String, ?> limits = container.getResources().getLimits();
    assertTrue(requests.containsKey("cpu") && requests.containsKey("memory"), "requests");
    assertTrue(limits.containsKey("memory"), "a memory limit");
  }

  // ------------------------------------------------------------------------------------------
  // RBAC

  /** What the controller calls, as (API group, resource, verb). */
  static List<String[]> neededPermissions() {
    List<String[]> needed = new ArrayList<>();
    for (String plural : PLURALS.values()) {
      for (String verb : List.of("get", "list", "watch", "update", "patch")) {
        needed.add(new String[] {"appmesh.k8s.aws", plural, verb});
      }
      for (String sub : List.of("/status", "/finalizers")) {
        for (String verb : List.of("update", "patch")) {
          needed.add(new String[] {"appmesh.k8s.aws", plural + sub, verb});
        }
      }
    }
    for (String resource : List.of("pods", "namespaces")) {
      for (String verb : List.of("get", "list", "watch")) {
        needed.add(new String[] {"", resource, verb});
      }
    }
    for (String group : List.of("", "events.k8s.io")) {
      for (String verb : List.of("create", "patch")) {
        needed.add(new String[] {group, "events", verb});
      }
    }
    for (String resource : List.of("mutatingwebhookconfigurations",
        "validatingwebhookconfigurations")) {
      for (String verb : List.of("get", "list", "watch", "patch")) {
        needed.add(new String[] {"admissionregistration.k8s.io", resource, verb});
      }
    }
    return needed;
  }

  @Test
  void clusterRoleGrantsEveryVerbTheControllerNeeds() {
    ClusterRole role = only(defaultInstall, ClusterRole.class);
    List<String> missing = new ArrayList<>();
    for (String[] p : neededPermissions()) {
      if (!allows(role.getRules(), p[0], p[1], p[2])) {
        missing.add(p[2] + " " + p[1] + " in group '" + p[0] + "'");
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void clusterRoleGrantsNothingBeyondThat() {
    ClusterRole role = only(defaultInstall, ClusterRole.class);
    List<String> extra = new ArrayList<>();
    for (PolicyRule rule : role.getRules()) {
      assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty());
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            boolean needed = neededPermissions().stream().anyMatch(p ->
                p[0].equals(group) && p[1].equals(resource) && p[2].equals(verb));
            if (!needed) {
              extra.add(verb + " " + resource + " in group '" + group + "'");
            }
          }
        }
      }
    }
    assertEquals(List.of(), extra, "wildcards, secrets, create/delete of App Mesh objects...");
    assertFalse(allows(role.getRules(), "", "secrets", "get"), "no secrets");
    assertFalse(allows(role.getRules(), "appmesh.k8s.aws", "virtualnodes", "delete"));
  }

  @Test
  void rolesAreBoundToTheControllersServiceAccount() {
    Deployment deployment = only(defaultInstall, Deployment.class);
    String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    String namespace = deployment.getMetadata().getNamespace();

    ClusterRoleBinding clusterBinding = only(defaultInstall, ClusterRoleBinding.class);
    assertEquals("ClusterRole", clusterBinding.getRoleRef().getKind());
    assertEquals(only(defaultInstall, ClusterRole.class).getMetadata().getName(),
        clusterBinding.getRoleRef().getName());
    assertBindsServiceAccount(clusterBinding.getSubjects(), account, namespace);

    Role leaderElection = only(defaultInstall, Role.class);
    assertEquals(namespace, leaderElection.getMetadata().getNamespace());
    for (String verb : List.of("get", "create", "update")) {
      assertTrue(allows(leaderElection.getRules(), "coordination.k8s.io", "leases", verb),
          verb + " leases");
      // The webhook certificate the controller makes is kept in a Secret its replicas share.
      assertTrue(allows(leaderElection.getRules(), "", "secrets", verb), verb + " secrets in its own namespace");
    }
    assertFalse(allows(leaderElection.getRules(), "", "secrets", "delete"), "never deletes secrets");
    RoleBinding binding = only(defaultInstall, RoleBinding.class);
    assertEquals(namespace, binding.getMetadata().getNamespace());
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(leaderElection.getMetadata().getName(), binding.getRoleRef().getName());
    assertBindsServiceAccount(binding.getSubjects(), account, namespace);
  }

  private static void assertBindsServiceAccount(List<Subject> subjects, String name, String namespace) {
    assertEquals(1, subjects.size());
    assertEquals("ServiceAccount", subjects.get(0).getKind());
    assertEquals(name, subjects.get(0).getName());
    assertEquals(namespace, subjects.get(0).getNamespace());
  }

  /** Whether any rule allows the verb on the resource, as the RBAC authorizer decides it. */
  static boolean allows(List<PolicyRule> rules, String group, String resource, String verb) {
    return rules.stream().anyMatch(rule ->
        (rule.getApiGroups().contains(group) || rule.getApiGroups().contains("*"))
            && (rule.getResources().contains(resource) || rule.getResources().contains("*"))
            && (rule.getVerbs().contains(verb) || rule.getVerbs().contains("*"))
            && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()));
  }

  // ------------------------------------------------------------------------------------------
  // Users' overlays

  @Test
  void anOverlayCanMoveTheInstallToAnotherNamespace() throws IOException {
    List<HasMetadata> moved = kustomizeOverlay("other-namespace", """
        namespace: mesh-controller
        """);
    assertTrue(inventory(moved).contains("Namespace//mesh-controller"));
    assertFalse(inventory(moved).contains("Namespace//meshwork-system"));
    only(moved, MutatingWebhookConfiguration.class).getWebhooks().forEach(w ->
        assertEquals("mesh-controller", w.getClientConfig().getService().getNamespace()));
    only(moved, ValidatingWebhookConfiguration.class).getWebhooks().forEach(w ->
        assertEquals("mesh-controller", w.getClientConfig().getService().getNamespace()));
    assertEquals("mesh-controller",
        only(moved, ClusterRoleBinding.class).getSubjects().get(0).getNamespace());
    assertEquals("mesh-controller",
        only(moved, RoleBinding.class).getSubjects().get(0).getNamespace());
  }

  @Test
  void anOverlayReplacesTheControllerImageWithKustomizeImages() throws IOException {
    List<HasMetadata> replaced = kustomizeOverlay("own-image", """
        images:
        - name: meshwork/eks-controller
          newName: 123456789012.dkr.ecr.us-west-2.amazonaws.com/meshwork/eks-controller
          newTag: 0.1.1
        """);
    assertEquals("123456789012.dkr.ecr.us-west-2.amazonaws.com/meshwork/eks-controller:0.1.1",
        controller(only(replaced, Deployment.class)).getImage());
  }

  /** Builds an overlay of config/default under target/, as a user's kustomization would. */
  private static List<HasMetadata> kustomizeOverlay(String name, String body) throws IOException {
    Path dir = Manifests.moduleDir().resolve("target/kustomize-overlays").resolve(name);
    Files.createDirectories(dir);
    String base = dir.relativize(Manifests.configDir().resolve("default")).toString();
    Files.writeString(dir.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
        - %s
        """.formatted(base) + body);
    return Manifests.kustomizeObjects(dir);
  }

  // ------------------------------------------------------------------------------------------
  // Helpers

  private static Set<String> inventory(List<HasMetadata> objects) {
    return objects.stream()
        .map(o -> o.getKind() + "/" + (o.getMetadata().getNamespace() == null ? ""
            : o.getMetadata().getNamespace()) + "/" + o.getMetadata().getName())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = ofType(objects, type);
    assertEquals(1, found.size(), "objects of type " + type.getSimpleName());
    return found.get(0);
  }

  private static GenericKubernetesResource generic(List<HasMetadata> objects, String kind) {
    List<GenericKubernetesResource> found = objects.stream()
        .filter(o -> o.getKind().equals(kind) && o instanceof GenericKubernetesResource)
        .map(GenericKubernetesResource.class::cast).toList();
    assertEquals(1, found.size(), kind + " objects");
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  private static Container controller(Deployment deployment) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size(), "containers");
    return containers.get(0);
  }

  private static EnvVar env(Container container, String name) {
    Map<String, EnvVar> byName = container.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    assertTrue(byName.containsKey(name), "env " + name);
    return byName.get(name);
  }

  /** The mount whose path holds the given path (the deepest one). */
  private static VolumeMount mountHolding(Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
        .orElseThrow(() -> new AssertionError("no volume holds " + path));
  }

  private static Volume volume(Deployment deployment, String name) {
    return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
