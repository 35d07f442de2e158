package io.meshwork.eks.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.meshwork.cloudmap.discovery.CloudMapQuery.ServiceName;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import io.meshwork.eks.reconcile.Reconciler;
import io.meshwork.eks.reconcile.References;
import io.meshwork.eks.reconcile.UnresolvedReferenceException;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.ClusterView;
import io.meshwork.eks.resources.LabelSelectors;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.resources.ObjectKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ready pods of a virtual node with Cloud Map service discovery become instances of its Cloud Map
 * service, as App Mesh's controller registered them: the pod IP as instance id, AWS_INSTANCE_IPV4
 * and the first listener's port, the pod's labels, the node's attributes, and {@code k8s.io/pod},
 * {@code k8s.io/namespace}, {@code appmesh.k8s.aws/mesh}, {@code appmesh.k8s.aws/virtualNode}.
 * A pod that stops being ready, goes, or leaves the node's selector is deregistered. Meshwork's
 * Cloud Map sync then gives them to the node's proxies. (A DNS node's endpoints are what its
 * hostname resolves to: a Kubernetes Service; nothing to register.)
 */
public final class PodEndpoints implements Reconciler.NodeDeletion {
    private static final Logger LOG = LoggerFactory.getLogger(PodEndpoints.class);

    private record Registration(ServiceName service, String instanceId, Map<String, String> attributes, ObjectKey node) {
    }

    private final ClusterView view;
    private final References references;
    private final CloudMapRegistrar registrar;
    private final Map<String, Registration> registered = new HashMap<>();

    public PodEndpoints(ClusterView view, CloudMapRegistrar registrar) {
        this.view = view;
        this.references = new References(view);
        this.registrar = registrar;
    }

    public synchronized void podChanged(Pod pod, boolean deleted) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        Optional<Registration> wanted = deleted ? Optional.empty() : wanted(pod);
        Registration had = registered.get(key);
        try {
            if (had != null && (wanted.isEmpty() || !had.service().equals(wanted.get().service())
                    || !had.instanceId().equals(wanted.get().instanceId()))) {
                registrar.deregister(had.service(), had.instanceId());
                registered.remove(key);
                LOG.info("pod {}: deregistered {} from Cloud Map service {}", key, had.instanceId(), had.service());
            }
            if (wanted.isPresent() && !wanted.get().equals(registered.get(key))) {
                Registration r = wanted.get();
                registrar.ensureService(r.service(), "meshwork-" + r.node().namespace() + "-" + r.node().name());
                registrar.register(r.service(), r.instanceId(), r.attributes());
                registered.put(key, r);
                LOG.info("pod {}: registered {} in Cloud Map service {}", key, r.instanceId(), r.service());
            }
        } catch (RuntimeException e) {
            LOG.warn("pod {}: Cloud Map registration failed (tried again at the next resync): {}", key, e.getMessage());
        }
    }

    /** Every pod again: a node's selector or discovery may have changed, or a call failed. */
    public synchronized void resync() {
        Set<String> present = new HashSet<>();
        for (Pod pod : view.pods()) {
            present.add(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
            podChanged(pod, false);
        }
        for (String key : List.copyOf(registered.keySet())) {
            if (!present.contains(key)) {
                Registration gone = registered.remove(key);
                registrar.deregister(gone.service(), gone.instanceId());
            }
        }
    }

    @Override
    public synchronized void nodeDeleted(MeshObject node) {
        ObjectKey key = ObjectKey.of(node);
        registered.entrySet().removeIf(e -> {
            if (e.getValue().node().equals(key)) {
                registrar.deregister(e.getValue().service(), e.getValue().instanceId());
                return true;
            }
            return false;
        });
    }

    private Optional<Registration> wanted(Pod pod) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null || ip.isEmpty() || pod.getMetadata().getDeletionTimestamp() != null || !ready(pod)) {
            return Optional.empty();
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        List<MeshObject> nodes = view.list(AppMeshKind.VIRTUAL_NODE).stream()
                .filter(n -> n.namespace().equals(pod.getMetadata().getNamespace()) && !n.deleting())
                .filter(n -> n.spec().path("serviceDiscovery").has("awsCloudMap"))
                .filter(n -> LabelSelectors.matches(n.spec().get("podSelector"), labels))
                .toList();
        if (nodes.size() != 1) {
            if (nodes.size() > 1) {
                LOG.warn("pod {}/{} is selected by more than one Cloud Map virtual node; registered with none", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName());
            }
            return Optional.empty();
        }
        MeshObject node = nodes.get(0);
        JsonNode cloudMap = node.spec().path("serviceDiscovery").path("awsCloudMap");
        Map<String, String> attributes = new HashMap<>(labels);
        cloudMap.path("attributes").forEach(a -> attributes.put(a.path("key").asText(), a.path("value").asText()));
        attributes.put(ip.contains(":") ? "AWS_INSTANCE_IPV6" : "AWS_INSTANCE_IPV4", ip);
        JsonNode listeners = node.spec().path("listeners");
        if (!listeners.isEmpty()) {
            attributes.put("AWS_INSTANCE_PORT", listeners.get(0).path("portMapping").path("port").asText());
        }
        attributes.put("k8s.io/pod", pod.getMetadata().getName());
        attributes.put("k8s.io/namespace", pod.getMetadata().getNamespace());
        try {
            attributes.put("appmesh.k8s.aws/mesh", references.meshOf(node).awsName());
        } catch (UnresolvedReferenceException e) {
            return Optional.empty();
        }
        attributes.put("appmesh.k8s.aws/virtualNode", node.awsName());
        return Optional.of(new Registration(new ServiceName(cloudMap.path("namespaceName").asText(), cloudMap.path("serviceName").asText()),
                ip, Map.copyOf(attributes), ObjectKey.of(node)));
    }

    private static boolean ready(Pod pod) {
        if (!"Running".equals(pod.getStatus().getPhase())) {
            return false;
        }
        List<PodCondition> conditions = pod.getStatus().getConditions();
        return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
