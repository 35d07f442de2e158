package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.ClusterView;
import io.meshwork.eks.resources.LabelSelectors;
import io.meshwork.eks.resources.MeshObject;

import java.util.List;
import java.util.stream.Collectors;

/**
 * How one object finds another, as App Mesh's controller did: its mesh by {@code meshRef}, else the
 * one Mesh whose {@code namespaceSelector} selects its namespace; a gateway route's gateway by
 * {@code virtualGatewayRef}, else the one VirtualGateway selecting its namespace and labels;
 * {@code *Ref}s by name (in the referring object's namespace unless they name one).
 */
public final class References {
    private final ClusterView view;

    public References(ClusterView view) {
        this.view = view;
    }

    public MeshObject meshOf(MeshObject object) throws UnresolvedReferenceException {
        if (object.kind() == AppMeshKind.MESH) {
            return object;
        }
        JsonNode ref = object.spec().path("meshRef");
        if (ref.hasNonNull("name")) {
            String name = ref.path("name").asText();
            MeshObject mesh = view.get(AppMeshKind.MESH, null, name)
                    .orElseThrow(() -> new UnresolvedReferenceException("meshRef names Mesh " + name + ", which does not exist"));
            String uid = ref.path("uid").asText("");
            if (!uid.isEmpty() && mesh.uid() != null && !uid.equals(mesh.uid())) {
                throw new UnresolvedReferenceException("meshRef names Mesh " + name + " with uid " + uid
                        + ", but that Mesh was deleted and made again (uid " + mesh.uid() + "): delete and re-create " + object.describe());
            }
            return mesh;
        }
        return meshForNamespace(object.namespace());
    }

    /** The one Mesh whose namespaceSelector selects {@code namespace}. */
    public MeshObject meshForNamespace(String namespace) throws UnresolvedReferenceException {
        var labels = view.namespaceLabels(namespace);
        // A Mesh being deleted takes no new members (it waits for its members to go).
        List<MeshObject> meshes = view.list(AppMeshKind.MESH).stream()
                .filter(m -> !m.deleting())
                .filter(m -> LabelSelectors.matches(m.spec().get("namespaceSelector"), labels)).toList();
        if (meshes.isEmpty()) {
            throw new UnresolvedReferenceException("no Mesh selects namespace " + namespace
                    + ": label the namespace to match a Mesh's spec.namespaceSelector");
        }
        if (meshes.size() > 1) {
            throw new UnresolvedReferenceException("namespace " + namespace + " is selected by more than one Mesh ("
                    + meshes.stream().map(MeshObject::name).sorted().collect(Collectors.joining(", ")) + ")");
        }
        return meshes.get(0);
    }

    public MeshObject gatewayOf(MeshObject gatewayRoute) throws UnresolvedReferenceException {
        JsonNode ref = gatewayRoute.spec().path("virtualGatewayRef");
        if (ref.hasNonNull("name")) {
            return referenced(AppMeshKind.VIRTUAL_GATEWAY, ref, gatewayRoute.namespace(), "virtualGatewayRef");
        }
        var namespaceLabels = view.namespaceLabels(gatewayRoute.namespace());
        List<MeshObject> gateways = view.list(AppMeshKind.VIRTUAL_GATEWAY).stream()
                .filter(g -> LabelSelectors.matches(g.spec().get("namespaceSelector"), namespaceLabels))
                .filter(g -> !g.spec().hasNonNull("gatewayRouteSelector")
                        || LabelSelectors.matches(g.spec().get("gatewayRouteSelector"), gatewayRoute.labels()))
                .toList();
        if (gateways.size() != 1) {
            throw new UnresolvedReferenceException(gateways.isEmpty()
                    ? "no VirtualGateway selects " + gatewayRoute.describe() + ": set spec.virtualGatewayRef, or match a gateway's"
                    + " namespaceSelector and gatewayRouteSelector"
                    : gatewayRoute.describe() + " is selected by more than one VirtualGateway ("
                    + gateways.stream().map(g -> g.namespace() + "/" + g.name()).sorted().collect(Collectors.joining(", ")) + ")");
        }
        return gateways.get(0);
    }

    /** The object a {@code {namespace, name}} reference names. */
    public MeshObject referenced(AppMeshKind kind, JsonNode ref, String defaultNamespace, String field)
            throws UnresolvedReferenceException {
        String namespace = ref.path("namespace").asText("");
        String ns = namespace.isEmpty() ? defaultNamespace : namespace;
        String name = ref.path("name").asText("");
        if (name.isEmpty()) {
            throw new UnresolvedReferenceException(field + " needs a name");
        }
        return view.get(kind, ns, name).orElseThrow(() -> new UnresolvedReferenceException(
                field + " names " + kind.kind() + " " + ns + "/" + name + ", which does not exist"));
    }

    /** Every object of {@code kind} in {@code namespace} that is not being deleted. */
    public List<MeshObject> all(AppMeshKind kind, String namespace) {
        return view.list(kind).stream().filter(o -> namespace.equals(o.namespace()) && !o.deleting()).toList();
    }

    /** The AWS name of what a reference names. */
    public String awsName(AppMeshKind kind, JsonNode ref, String defaultNamespace, String field) throws UnresolvedReferenceException {
        return referenced(kind, ref, defaultNamespace, field).awsName();
    }
}
