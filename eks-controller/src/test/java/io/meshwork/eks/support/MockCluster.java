package io.meshwork.eks.support;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.meshwork.eks.resources.AppMeshKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * fabric8's mock API server in CRUD mode (objects stored, watched, patched, finalizers honoured)
 * with the seven custom resource definitions of {@code config/crd/bases} applied, as
 * {@code kubectl apply -k config/crd} would.
 */
public final class MockCluster implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public MockCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        for (AppMeshKind kind : AppMeshKind.values()) {
            try (InputStream in = Files.newInputStream(crdFile(kind))) {
                CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static Path crdFile(AppMeshKind kind) {
        return Path.of("config/crd/bases/appmesh.k8s.aws_" + kind.plural() + ".yaml");
    }

    public KubernetesClient client() {
        return client;
    }

    public void namespace(String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build()).create();
    }

    /** Creates an object from YAML (as {@code kubectl create -f}). */
    public GenericKubernetesResource create(String yaml) {
        GenericKubernetesResource resource = client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        AppMeshKind kind = AppMeshKind.ofKind(resource.getKind()).orElseThrow();
        var resources = client.genericKubernetesResources(kind.context());
        return (kind.namespaced() ? resources.inNamespace(resource.getMetadata().getNamespace()) : resources).resource(resource).create();
    }

    public GenericKubernetesResource get(AppMeshKind kind, String namespace, String name) {
        var resources = client.genericKubernetesResources(kind.context());
        return (kind.namespaced() ? resources.inNamespace(namespace) : resources).withName(name).get();
    }

    /** Changes an object's spec as {@code kubectl edit} would, generation included (the mock does not bump it; a real API server does). */
    public void editSpec(AppMeshKind kind, String namespace, String name, java.util.function.Consumer<Map<String, Object>> change) {
        var resources = client.genericKubernetesResources(kind.context());
        (kind.namespaced() ? resources.inNamespace(namespace) : resources).withName(name).edit(r -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
            change.accept(spec);
            r.getMetadata().setGeneration(r.getMetadata().getGeneration() == null ? 2 : r.getMetadata().getGeneration() + 1);
            return r;
        });
    }

    public void delete(AppMeshKind kind, String namespace, String name) {
        var resources = client.genericKubernetesResources(kind.context());
        (kind.namespaced() ? resources.inNamespace(namespace) : resources).withName(name).delete();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
