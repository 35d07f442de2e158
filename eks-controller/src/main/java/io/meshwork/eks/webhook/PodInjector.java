package io.meshwork.eks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.eks.reconcile.References;
import io.meshwork.eks.reconcile.UnresolvedReferenceException;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.ClusterView;
import io.meshwork.eks.resources.LabelSelectors;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.proxyapi.SnapshotJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sidecar injection as App Mesh's controller did it, with Meshwork's proxy: a pod in a namespace
 * labelled {@code appmesh.k8s.aws/sidecarInjectorWebhook: enabled} (or annotated so itself) whose
 * labels a VirtualNode's {@code podSelector} matches gets the {@code proxyinit} init container
 * (the redirect rules, from App Mesh's variables) and the {@code envoy} sidecar (the proxy, user
 * 1337, the node's identity, an exec readiness probe on {@code /server_info}); a VirtualGateway's
 * pod gets its {@code envoy} container's image and identity. Every {@code appmesh.k8s.aws/*}
 * annotation the App Mesh injector read is read here.
 */
public final class PodInjector {
    public static final String PREFIX = "appmesh.k8s.aws/";
    public static final String INJECT = PREFIX + "sidecarInjectorWebhook";
    static final String SIDECAR = "envoy";
    static final String INIT = "proxyinit";
    static final int PROXY_UID = 1337;

    private final ClusterView view;
    private final References references;
    private final InjectorSettings settings;

    public PodInjector(ClusterView view, InjectorSettings settings) {
        this.view = view;
        this.references = new References(view);
        this.settings = settings;
    }

    /** The pod as it should be created, or empty when nothing is to be injected. */
    public Optional<ObjectNode> inject(ObjectNode pod, String namespace) throws InjectionRefusedException {
        Map<String, String> annotations = strings(pod.path("metadata").path("annotations"));
        Map<String, String> labels = strings(pod.path("metadata").path("labels"));
        Map<String, String> namespaceLabels = view.namespaceLabels(namespace);
        String wanted = annotations.getOrDefault(INJECT, namespaceLabels.getOrDefault(INJECT, "disabled"));
        if (!"enabled".equalsIgnoreCase(wanted)) {
            return Optional.empty();
        }
        Optional<MeshObject> gateway = selecting(AppMeshKind.VIRTUAL_GATEWAY, namespace, labels);
        if (gateway.isPresent()) {
            // A gateway's pod brings its own envoy container; one without is left as it is, as App Mesh's injector did.
            return hasContainer(pod, SIDECAR) ? Optional.of(gatewayPod(pod.deepCopy(), gateway.get(), annotations)) : Optional.empty();
        }
        if (hasContainer(pod, SIDECAR)) {
            return Optional.empty(); // injected already (a re-admitted pod)
        }
        Optional<MeshObject> node = selecting(AppMeshKind.VIRTUAL_NODE, namespace, labels);
        if (node.isEmpty()) {
            // Refused, as App Mesh's injector refused it: the ReplicaSet tries again until the node
            // exists, instead of the pod running outside the mesh until someone recreates it.
            throw new InjectionRefusedException("sidecar injection is enabled for this pod (namespace " + namespace + " or the pod's "
                    + INJECT + " annotation) but no VirtualNode or VirtualGateway in " + namespace + " selects its labels " + labels
                    + ": create the VirtualNode (its spec.podSelector matching), or annotate the pod " + INJECT + ": disabled");
        }
        return Optional.of(nodePod(pod.deepCopy(), node.get(), annotations, labels));
    }

    /** The one node (or gateway) in the pod's namespace whose {@code podSelector} matches its labels. */
    private Optional<MeshObject> selecting(AppMeshKind kind, String namespace, Map<String, String> labels) throws InjectionRefusedException {
        List<MeshObject> matches = view.list(kind).stream()
                .filter(o -> !o.deleting())
                .filter(o -> o.namespace().equals(namespace))
                .filter(o -> LabelSelectors.matches(o.spec().get("podSelector"), labels))
                .toList();
        if (matches.size() > 1) {
            throw new InjectionRefusedException("found multiple matching " + kind.kind() + "s for the pod: "
                    + String.join(", ", matches.stream().map(m -> m.namespace() + "/" + m.name()).sorted().toList()));
        }
        return matches.stream().findFirst();
    }

    private ObjectNode nodePod(ObjectNode pod, MeshObject node, Map<String, String> annotations, Map<String, String> labels)
            throws InjectionRefusedException {
        MeshObject mesh = mesh(node);
        ObjectNode spec = (ObjectNode) pod.get("spec");
        String appPorts = annotations.getOrDefault(PREFIX + "ports", listenerPorts(node));
        // The annotation decides; without it, Fargate pods (which cannot run a privileged init container) use the CNI.
        String cniAnnotation = annotations.get(PREFIX + "appmeshCNI");
        boolean cni = cniAnnotation != null ? "enabled".equalsIgnoreCase(cniAnnotation) : labels.containsKey("eks.amazonaws.com/fargate-profile");
        Map<String, String> redirect = new LinkedHashMap<>();
        redirect.put("APPMESH_START_ENABLED", "1");
        redirect.put("APPMESH_IGNORE_UID", annotations.getOrDefault(PREFIX + "ignoredUID", String.valueOf(PROXY_UID)));
        if (annotations.containsKey(PREFIX + "ignoredGID")) {
            redirect.put("APPMESH_IGNORE_GID", annotations.get(PREFIX + "ignoredGID"));
        }
        redirect.put("APPMESH_ENVOY_INGRESS_PORT", annotations.getOrDefault(PREFIX + "proxyIngressPort", "15000"));
        redirect.put("APPMESH_ENVOY_EGRESS_PORT", annotations.getOrDefault(PREFIX + "proxyEgressPort", "15001"));
        redirect.put("APPMESH_APP_PORTS", appPorts);
        redirect.put("APPMESH_EGRESS_IGNORED_IP", annotations.getOrDefault(PREFIX + "egressIgnoredIPs", settings.ignoredIps()));
        redirect.put("APPMESH_EGRESS_IGNORED_PORTS", annotations.getOrDefault(PREFIX + "egressIgnoredPorts", "22"));
        redirect.put("APPMESH_ENABLE_IPV6", "disabled".equalsIgnoreCase(annotations.get(PREFIX + "ipv6")) || !settings.ipv6() ? "0" : "1");
        if (cni) {
            // The App Mesh CNI (Fargate, or asked for) writes the rules from these annotations; no privileged init container.
            ObjectNode podAnnotations = object(pod.with("metadata"), "annotations");
            podAnnotations.put(PREFIX + "ports", appPorts);
            podAnnotations.put(PREFIX + "egressIgnoredIPs", redirect.get("APPMESH_EGRESS_IGNORED_IP"));
            podAnnotations.put(PREFIX + "egressIgnoredPorts", redirect.get("APPMESH_EGRESS_IGNORED_PORTS"));
            podAnnotations.put(PREFIX + "proxyIngressPort", redirect.get("APPMESH_ENVOY_INGRESS_PORT"));
            podAnnotations.put(PREFIX + "proxyEgressPort", redirect.get("APPMESH_ENVOY_EGRESS_PORT"));
            podAnnotations.put(PREFIX + "ignoredUID", redirect.get("APPMESH_IGNORE_UID"));
        } else if (!hasContainer(spec.path("initContainers"), INIT)) {
            ObjectNode init = array(spec, "initContainers").addObject();
            init.put("name", INIT);
            init.put("image", settings.proxyInitImage());
            init.putArray("command").add("proxy-init").add("enable");
            init.set("env", env(redirect));
            init.putObject("securityContext").put("runAsUser", 0).put("runAsNonRoot", false)
                    .putObject("capabilities").putArray("add").add("NET_ADMIN");
            init.set("resources", resources("10m", "32Mi", null, null));
        }
        ObjectNode sidecar = array(spec, "containers").addObject();
        sidecar.put("name", SIDECAR);
        sidecar.put("image", settings.proxyImage());
        sidecar.putObject("securityContext").put("runAsUser", PROXY_UID);
        sidecar.putArray("ports").addObject().put("containerPort", settings.adminPort()).put("name", "stats").put("protocol", "TCP");
        // The pod's own variables first, the identity and App Mesh's after: an annotation cannot make
        // the proxy serve another node (App Mesh's injector applied them in the same order).
        Map<String, String> env = customEnv(annotations);
        Map<String, String> base = proxyEnv(mesh, "virtualNode", node.awsName(), annotations);
        base.put("APPMESH_VIRTUAL_NODE_NAME", base.get("APPMESH_RESOURCE_ARN"));
        base.keySet().forEach(env::remove);
        base.putAll(env);
        sidecar.set("env", env(base));
        sidecar.set("resources", resources(annotations.getOrDefault(PREFIX + "cpuRequest", settings.cpuRequest()),
                annotations.getOrDefault(PREFIX + "memoryRequest", settings.memoryRequest()),
                annotations.getOrDefault(PREFIX + "cpuLimit", settings.cpuLimit()),
                annotations.getOrDefault(PREFIX + "memoryLimit", settings.memoryLimit())));
        sidecar.set("readinessProbe", readinessProbe());
        // The proxy outlives the app's last calls when the pod stops: Kubernetes stops all
        // containers at once, and the app's outbound calls are redirected to the proxy until the end.
        if (settings.preStopDelaySeconds() > 0) {
            sidecar.putObject("lifecycle").putObject("preStop").putObject("exec").putArray("command")
                    .add("sh").add("-c").add("sleep " + settings.preStopDelaySeconds());
        }
        mounts(pod, sidecar, annotations);
        // IRSA's token file must be readable by the proxy's user.
        ObjectNode securityContext = object(spec, "securityContext");
        if (!securityContext.has("fsGroup")) {
            securityContext.put("fsGroup", PROXY_UID);
        }
        return pod;
    }

    private ObjectNode gatewayPod(ObjectNode pod, MeshObject gateway, Map<String, String> annotations) throws InjectionRefusedException {
        MeshObject mesh = mesh(gateway);
        ArrayNode containers = (ArrayNode) pod.path("spec").path("containers");
        ObjectNode envoy = null;
        for (JsonNode c : containers) {
            if (SIDECAR.equals(c.path("name").asText())) {
                envoy = (ObjectNode) c;
            }
        }
        if (envoy == null) {
            throw new InjectionRefusedException("the pod of VirtualGateway " + gateway.namespace() + "/" + gateway.name()
                    + " needs a container named envoy (the gateway's proxy), as App Mesh's controller required");
        }
        if (!"enabled".equalsIgnoreCase(annotations.get(PREFIX + "virtualGatewaySkipImageOverride"))) {
            envoy.put("image", settings.proxyImage());
        }
        Map<String, String> env = customEnv(annotations);
        Map<String, String> base = proxyEnv(mesh, "virtualGateway", gateway.awsName(), annotations);
        base.keySet().forEach(env::remove);
        env.putAll(base);
        ArrayNode existing = array(envoy, "env");
        for (JsonNode e : existing) {
            String name = e.path("name").asText();
            if (env.containsKey(name)) {
                ((ObjectNode) e).put("value", env.remove(name));
            }
        }
        env.forEach((k, v) -> existing.addObject().put("name", k).put("value", v));
        if (!envoy.has("readinessProbe")) {
            envoy.set("readinessProbe", readinessProbe());
        }
        return pod;
    }

    private MeshObject mesh(MeshObject member) throws InjectionRefusedException {
        try {
            return references.meshOf(member);
        } catch (UnresolvedReferenceException e) {
            throw new InjectionRefusedException(member.describe() + ": " + e.getMessage());
        }
    }

    /** The proxy's identity and App Mesh's Envoy variables, which Meshwork's proxy reads. */
    private Map<String, String> proxyEnv(MeshObject mesh, String type, String name, Map<String, String> annotations) {
        String owner = mesh.foreignOwner(settings.accountId());
        String meshName = mesh.awsName() + (owner.isEmpty() ? "" : "@" + owner);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("APPMESH_RESOURCE_ARN", "mesh/" + meshName + "/" + type + "/" + name);
        env.put("PROXY_CONTROL_API_URL", settings.controlApiUrl());
        env.put("PROXY_MODE", "sidecar");
        env.put("AWS_REGION", settings.region());
        env.put("ENVOY_LOG_LEVEL", settings.logLevel());
        env.put("ENVOY_ADMIN_ACCESS_PORT", String.valueOf(settings.adminPort()));
        // Not App Mesh's ENVOY_ADMIN_ACCESS_LOG_FILE: Meshwork's proxy has no admin access log and
        // warned about the variable at every start of every injected pod (InjectedPodRunsTest).
        env.put("ENVOY_ADMIN_ACCESS_ENABLE_IPV6", "false");
        boolean preview = annotations.containsKey(PREFIX + "preview") ? "enabled".equalsIgnoreCase(annotations.get(PREFIX + "preview"))
                : settings.preview();
        env.put("APPMESH_PREVIEW", preview ? "1" : "0");
        env.put("APPMESH_DUALSTACK_ENDPOINT", "0");
        env.put("APPMESH_FIPS_ENDPOINT", "0");
        return env;
    }

    /** {@code sidecarEnv: "DD_ENV=qa1, ENV2=test"} and {@code sidecarEnvJson: [{"K": "v"}]} (or an object). */
    private static Map<String, String> customEnv(Map<String, String> annotations) throws InjectionRefusedException {
        Map<String, String> env = new LinkedHashMap<>();
        String plain = annotations.get(PREFIX + "sidecarEnv");
        if (plain != null && !plain.isBlank()) {
            for (String segment : plain.split(",")) {
                String[] pair = segment.split("=", -1);
                if (pair.length != 2 || pair[0].isBlank()) {
                    throw new InjectionRefusedException("malformed annotation " + PREFIX + "sidecarEnv, expected KEY=value[, KEY=value]: "
                            + segment.trim());
                }
                env.put(pair[0].trim(), pair[1].trim());
            }
        }
        String json = annotations.get(PREFIX + "sidecarEnvJson");
        if (json != null && !json.isBlank()) {
            try {
                JsonNode parsed = SnapshotJson.mapper().readTree(json);
                for (JsonNode entry : parsed.isArray() ? parsed : SnapshotJson.mapper().createArrayNode().add(parsed)) {
                    for (var e : entry.properties()) {
                        if (!e.getValue().isValueNode()) {
                            throw new InjectionRefusedException("malformed annotation " + PREFIX + "sidecarEnvJson: " + e.getKey()
                                    + " must have a string value, got " + e.getValue());
                        }
                        env.put(e.getKey(), e.getValue().asText());
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InjectionRefusedException("malformed annotation " + PREFIX + "sidecarEnvJson, expected JSON such as"
                        + " [{\"KEY\": \"value\"}]: " + e.getOriginalMessage());
            }
        }
        return env;
    }

    /** {@code secretMounts: "secret:/path, ..."} (a volume per secret) and {@code volumeMounts: "volume:/path, ..."}. */
    private static void mounts(ObjectNode pod, ObjectNode sidecar, Map<String, String> annotations) throws InjectionRefusedException {
        for (String[] pair : pairs(annotations.get(PREFIX + "secretMounts"), "secretMounts", "secretName:mountPath")) {
            array(sidecar, "volumeMounts").addObject().put("name", pair[0]).put("mountPath", pair[1]).put("readOnly", true);
            ObjectNode volume = array((ObjectNode) pod.get("spec"), "volumes").addObject();
            volume.put("name", pair[0]);
            volume.putObject("secret").put("secretName", pair[0]);
        }
        for (String[] pair : pairs(annotations.get(PREFIX + "volumeMounts"), "volumeMounts", "volumeName:mountPath")) {
            array(sidecar, "volumeMounts").addObject().put("name", pair[0]).put("mountPath", pair[1]).put("readOnly", true);
        }
    }

    private static List<String[]> pairs(String annotation, String name, String format) throws InjectionRefusedException {
        List<String[]> pairs = new ArrayList<>();
        if (annotation == null || annotation.isBlank()) {
            return pairs;
        }
        for (String segment : annotation.split(",")) {
            String[] pair = segment.split(":", -1);
            if (pair.length != 2 || pair[0].isBlank() || pair[1].isBlank()) {
                throw new InjectionRefusedException("malformed annotation " + PREFIX + name + ", expected format: " + format);
            }
            pairs.add(new String[]{pair[0].trim(), pair[1].trim()});
        }
        return pairs;
    }

    /** App Mesh's probe, unchanged: the proxy image has sh, curl and grep, and serves {@code /server_info}. */
    private ObjectNode readinessProbe() {
        ObjectNode probe = SnapshotJson.mapper().createObjectNode();
        probe.putObject("exec").putArray("command").add("sh").add("-c")
                .add("curl -s http://localhost:" + settings.adminPort() + "/server_info | grep state | grep -q LIVE");
        probe.put("initialDelaySeconds", 1);
        probe.put("timeoutSeconds", 1);
        probe.put("periodSeconds", 10);
        probe.put("successThreshold", 1);
        probe.put("failureThreshold", 3);
        return probe;
    }

    private static String listenerPorts(MeshObject node) {
        List<String> ports = new ArrayList<>();
        node.spec().path("listeners").forEach(l -> ports.add(l.path("portMapping").path("port").asText()));
        return String.join(",", ports);
    }

    private static ObjectNode resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
        ObjectNode resources = SnapshotJson.mapper().createObjectNode();
        ObjectNode requests = resources.putObject("requests");
        putIf(requests, "cpu", cpuRequest);
        putIf(requests, "memory", memoryRequest);
        if (cpuLimit != null || memoryLimit != null) {
            ObjectNode limits = resources.putObject("limits");
            putIf(limits, "cpu", cpuLimit);
            putIf(limits, "memory", memoryLimit);
        }
        return resources;
    }

    private static void putIf(ObjectNode node, String key, String value) {
        if (value != null && !value.isBlank()) {
            node.put(key, value);
        }
    }

    private static ArrayNode env(Map<String, String> env) {
        ArrayNode out = SnapshotJson.mapper().createArrayNode();
        env.forEach((k, v) -> out.addObject().put("name", k).put("value", v));
        return out;
    }

    private static boolean hasContainer(JsonNode podOrList, String name) {
        JsonNode containers = podOrList.isArray() ? podOrList : podOrList.path("spec").path("containers");
        for (JsonNode c : containers) {
            if (name.equals(c.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static ArrayNode array(ObjectNode parent, String field) {
        return parent.has(field) && parent.get(field).isArray() ? (ArrayNode) parent.get(field) : parent.putArray(field);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return parent.has(field) && parent.get(field).isObject() ? (ObjectNode) parent.get(field) : parent.putObject(field);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
