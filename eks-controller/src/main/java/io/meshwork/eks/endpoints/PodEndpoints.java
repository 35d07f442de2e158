package io.meshwork.eks.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.meshwork.cloudmap.discovery.CloudMapQuery.ServiceName;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.ServiceNotFoundException;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final ServiceDiscoveryClient cloudMap;
    private final CloudMapRegistrar registrar;
    /** What this replica registered, to deregister a pod at once when it goes; {@link #resync()} is the authority. */
    private final Map<String, Registration> registered = new HashMap<>();
    private final ScheduledExecutorService resyncs = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshwork-cloudmap-resync");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean resyncPending = new AtomicBoolean();

    public PodEndpoints(ClusterView view, ServiceDiscoveryClient cloudMap) {
        this.view = view;
        this.references = new References(view);
        this.cloudMap = cloudMap;
        this.registrar = new CloudMapRegistrar(cloudMap);
    }

    /** A resync soon, once for any number of asks within a second (every node event asks). */
    public void requestResync() {
        if (resyncPending.compareAndSet(false, true)) {
            resyncs.schedule(() -> {
                resyncPending.set(false);
                try {
                    resync();
                } catch (RuntimeException e) {
                    LOG.warn("Cloud Map resync failed (tried again at the next): {}", e.getMessage());
                }
            }, 1, TimeUnit.SECONDS);
        }
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

    /**
     * Every Cloud Map node's service made to hold exactly its ready pods, as App Mesh's controller
     * reconciled them: the instances there (those carrying the node's {@code appmesh.k8s.aws/mesh}
     * and {@code appmesh.k8s.aws/virtualNode} attributes) are read from Cloud Map, so what another
     * replica or an earlier run registered is found too; a pod that went while no controller ran
     * is deregistered here.
     */
    public synchronized void resync() {
        Map<ServiceName, Map<String, Registration>> wanted = new HashMap<>();
        Set<String> present = new HashSet<>();
        for (Pod pod : view.pods()) {
            String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            present.add(key);
            podChanged(pod, false);
            wanted(pod).ifPresent(r -> wanted.computeIfAbsent(r.service(), s -> new HashMap<>()).put(r.instanceId(), r));
        }
        registered.keySet().removeIf(key -> !present.contains(key));
        for (MeshObject node : view.list(AppMeshKind.VIRTUAL_NODE)) {
            Optional<ServiceName> service = cloudMapService(node);
            if (service.isEmpty() || node.deleting()) {
                continue;
            }
            Map<String, Registration> keep = wanted.getOrDefault(service.get(), Map.of());
            for (String stale : instancesOf(node, service.get())) {
                if (!keep.containsKey(stale)) {
                    registrar.deregister(service.get(), stale);
                    LOG.info("{}: deregistered {} from Cloud Map service {}: no ready pod of the node has that address",
                            node.describe(), stale, service.get());
                }
            }
        }
    }

    /** Deregisters every instance the node has in Cloud Map (its pods may be gone already). */
    @Override
    public synchronized void nodeDeleted(MeshObject node) {
        ObjectKey key = ObjectKey.of(node);
        registered.entrySet().removeIf(e -> e.getValue().node().equals(key));
        Optional<ServiceName> service = cloudMapService(node);
        if (service.isPresent()) {
            for (String instance : instancesOf(node, service.get())) {
                registrar.deregister(service.get(), instance);
            }
        }
    }

    public void close() {
        resyncs.shutdownNow();
    }

    private static Optional<ServiceName> cloudMapService(MeshObject node) {
        JsonNode cloudMap = node.spec().path("serviceDiscovery").path("awsCloudMap");
        if (cloudMap.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new ServiceName(cloudMap.path("namespaceName").asText(), cloudMap.path("serviceName").asText()));
    }

    /** The ids of the service's instances this node registered (by its mesh and node attributes). */
    private List<String> instancesOf(MeshObject node, ServiceName service) {
        String mesh;
        try {
            mesh = references.meshOf(node).awsName();
        } catch (UnresolvedReferenceException e) {
            return List.of();
        }
        String serviceId;
        try {
            serviceId = registrar.serviceId(service);
        } catch (ServiceNotFoundException e) {
            return List.of();
        }
        return cloudMap.listInstancesPaginator(r -> r.serviceId(serviceId)).stream().flatMap(page -> page.instances().stream())
                .filter(i -> mesh.equals(i.attributes().get("appmesh.k8s.aws/mesh"))
                        && node.awsName().equals(i.attributes().get("appmesh.k8s.aws/virtualNode")))
                .map(InstanceSummary::id)
                .toList();
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
