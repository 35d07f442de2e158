package io.meshwork.controlapi.resource;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * Identifies one resource: its kind, its mesh, its parent router or gateway (empty for
 * resources directly in the mesh) and its name. For a mesh, {@code mesh} is its own name.
 */
public record ResourceKey(ResourceKind kind, String mesh, String parent, String name) {
    public ResourceKey {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(mesh);
        parent = parent == null ? "" : parent;
        Objects.requireNonNull(name);
    }

    /** The key an operation's input names through its path members (meshName, virtualNodeName, ...). */
    public static ResourceKey fromInput(ResourceKind kind, JsonNode input) {
        String name = input.path(kind.nameMember()).asText();
        if (kind == ResourceKind.MESH) {
            return mesh(name);
        }
        String parent = kind.hasNamedParent() ? input.path(kind.parent().nameMember()).asText() : "";
        return new ResourceKey(kind, input.path("meshName").asText(), parent, name);
    }

    public static ResourceKey mesh(String mesh) {
        return new ResourceKey(ResourceKind.MESH, mesh, "", mesh);
    }

    public static ResourceKey inMesh(ResourceKind kind, String mesh, String name) {
        return new ResourceKey(kind, mesh, "", name);
    }

    public ResourceKey meshKey() {
        return mesh(mesh);
    }

    /** The router of a route or the gateway of a gateway route. */
    public ResourceKey parentKey() {
        if (!kind.hasNamedParent()) {
            return meshKey();
        }
        return inMesh(kind.parent(), mesh, parent);
    }

    /** "VirtualNode with name app-a": the start of App Mesh's messages about a resource. */
    public String describe() {
        return kind.typeName() + " with name " + name;
    }

    /** "VirtualNode with name app-a is not present under mesh app1": App Mesh's NotFound wording. */
    public String notPresentMessage(String account) {
        if (kind == ResourceKind.MESH) {
            return "Mesh with name " + name + " is not present for account " + account;
        }
        String where = kind.hasNamedParent()
                ? kind.parent().typeName() + " " + parent + " under mesh " + mesh
                : "mesh " + mesh;
        return describe() + " is not present under " + where + " for account " + account;
    }
}
