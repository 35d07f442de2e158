package io.meshwork.eks.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshwork.proxyapi.SnapshotJson;

import java.util.List;
import java.util.Map;

/** One {@code appmesh.k8s.aws} object with its spec and status read as JSON. */
public record MeshObject(AppMeshKind kind, GenericKubernetesResource resource) {
    public static MeshObject of(GenericKubernetesResource resource) {
        return new MeshObject(AppMeshKind.ofKind(resource.getKind())
                .orElseThrow(() -> new IllegalArgumentException("not an App Mesh kind: " + resource.getKind())), resource);
    }

    public String name() {
        return resource.getMetadata().getName();
    }

    /** The object's namespace; null for a Mesh. */
    public String namespace() {
        return resource.getMetadata().getNamespace();
    }

    public String uid() {
        return resource.getMetadata().getUid();
    }

    public long generation() {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    public Map<String, String> labels() {
        Map<String, String> labels = resource.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    public List<String> finalizers() {
        List<String> finalizers = resource.getMetadata().getFinalizers();
        return finalizers == null ? List.of() : finalizers;
    }

    public boolean deleting() {
        return resource.getMetadata().getDeletionTimestamp() != null;
    }

    public JsonNode spec() {
        Object spec = resource.getAdditionalProperties().get("spec");
        return spec == null ? SnapshotJson.mapper().createObjectNode() : SnapshotJson.mapper().valueToTree(spec);
    }

    public ObjectNode status() {
        Object status = resource.getAdditionalProperties().get("status");
        return status == null ? SnapshotJson.mapper().createObjectNode() : SnapshotJson.mapper().valueToTree(status);
    }

    /** The AWS name: {@code spec.awsName}, else the default App Mesh's controller gave. */
    public String awsName() {
        String awsName = spec().path("awsName").asText("");
        return awsName.isEmpty() ? kind.defaultAwsName(name(), namespace()) : awsName;
    }

    /**
     * A Mesh's {@code spec.meshOwner} when that is another account (a mesh shared with this one),
     * else empty: a mesh whose owner is this account ({@code ownAccount}) is this account's own, as
     * App Mesh's controller treated it.
     */
    public String foreignOwner(String ownAccount) {
        String owner = spec().path("meshOwner").asText("");
        return owner.equals(ownAccount) ? "" : owner;
    }

    /** {@code Kind namespace/name}, for messages. */
    public String describe() {
        return kind.kind() + " " + (namespace() == null ? "" : namespace() + "/") + name();
    }
}
