package io.meshwork.eks.resources;

/** Which object: a kind, a namespace (null for a Mesh) and a name. */
public record ObjectKey(AppMeshKind kind, String namespace, String name) {
    public static ObjectKey of(MeshObject object) {
        return new ObjectKey(object.kind(), object.namespace(), object.name());
    }

    @Override
    public String toString() {
        return kind.kind() + " " + (namespace == null ? "" : namespace + "/") + name;
    }
}
