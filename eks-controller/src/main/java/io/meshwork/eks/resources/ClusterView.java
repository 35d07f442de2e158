package io.meshwork.eks.resources;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the controller knows of the cluster: informers (watch-fed caches) on the seven kinds, on
 * namespaces and on pods. Reconciling, injecting and registering read from here, not from the API
 * server, as controller-runtime's cached client does.
 */
public final class ClusterView implements AutoCloseable {
    private final KubernetesClient client;
    private final Map<AppMeshKind, SharedIndexInformer<GenericKubernetesResource>> kinds = new EnumMap<>(AppMeshKind.class);
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Pod> pods;

    public ClusterView(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Starts every informer and waits for their first lists; {@code changed} hears of each object
     * added, updated or deleted, and of every object again each {@code resync} (drift repair).
     */
    public void start(Consumer<MeshObject> changed, BiConsumer<Pod, Boolean> podChanged, Duration resync) {
        for (AppMeshKind kind : AppMeshKind.values()) {
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(kind.context()).inAnyNamespace()
                    .runnableInformer(resync.toMillis());
            informer.addEventHandler(handler(o -> changed.accept(MeshObject.of(o))));
            kinds.put(kind, informer);
        }
        namespaces = client.namespaces().runnableInformer(resync.toMillis());
        pods = client.pods().inAnyNamespace().runnableInformer(resync.toMillis());
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podChanged.accept(pod, false);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                podChanged.accept(pod, false);
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                podChanged.accept(pod, true);
            }
        });
        Map<String, SharedIndexInformer<?>> named = new java.util.LinkedHashMap<>();
        kinds.forEach((kind, informer) -> named.put(kind.plural() + "." + AppMeshKind.GROUP, informer));
        named.put("namespaces", namespaces);
        named.put("pods", pods);
        for (var entry : named.entrySet()) {
            try {
                entry.getValue().start().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                throw new IllegalStateException("cannot list and watch " + entry.getKey() + " (" + client.getConfiguration().getMasterUrl()
                        + "): " + cause, e);
            }
        }
    }

    private List<SharedIndexInformer<?>> all() {
        List<SharedIndexInformer<?>> all = new java.util.ArrayList<>(kinds.values());
        all.add(namespaces);
        all.add(pods);
        return all;
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed.accept(obj);
            }
        };
    }

    public Optional<MeshObject> get(AppMeshKind kind, String namespace, String name) {
        String key = kind.namespaced() ? namespace + "/" + name : name;
        return Optional.ofNullable(kinds.get(kind).getStore().getByKey(key)).map(MeshObject::of);
    }

    public Optional<MeshObject> get(ObjectKey key) {
        return get(key.kind(), key.namespace(), key.name());
    }

    public List<MeshObject> list(AppMeshKind kind) {
        return kinds.get(kind).getStore().list().stream().map(MeshObject::of).toList();
    }

    public Map<String, String> namespaceLabels(String namespace) {
        Namespace ns = namespaces.getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata().getLabels() == null) {
            // Kubernetes labels every namespace with its name (1.21+): selectors may use it.
            return Map.of("kubernetes.io/metadata.name", namespace);
        }
        Map<String, String> labels = new java.util.HashMap<>(ns.getMetadata().getLabels());
        labels.putIfAbsent("kubernetes.io/metadata.name", namespace);
        return labels;
    }

    public List<Pod> pods() {
        return pods.getStore().list();
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        all().forEach(i -> {
            if (i != null) {
                i.close();
            }
        });
    }
}
