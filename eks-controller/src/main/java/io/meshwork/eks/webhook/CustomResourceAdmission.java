package io.meshwork.eks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.eks.reconcile.References;
import io.meshwork.eks.reconcile.UnresolvedReferenceException;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.ClusterView;
import io.meshwork.eks.resources.KubeJson;
import io.meshwork.eks.resources.MeshObject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshwork.proxyapi.SnapshotJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The custom resources' webhooks, as App Mesh's controller ran them. Mutating: {@code awsName}
 * defaulted, {@code meshRef} set from the namespace's Mesh, a gateway route's
 * {@code virtualGatewayRef} from the gateway selecting it. Validating: what the schema cannot say
 * (one of a reference or an ARN, one kind of service discovery) and what must not change
 * ({@code awsName}, {@code meshRef}, a mesh's owner, a route's gateway).
 */
public final class CustomResourceAdmission {
    private final References references;

    public CustomResourceAdmission(ClusterView view) {
        this.references = new References(view);
    }

    /** The object with App Mesh's defaults filled in. */
    public ObjectNode mutate(AppMeshKind kind, ObjectNode object, String namespace) throws InjectionRefusedException {
        ObjectNode out = object.deepCopy();
        ObjectNode spec = out.has("spec") && out.get("spec").isObject() ? (ObjectNode) out.get("spec") : out.putObject("spec");
        MeshObject self = meshObject(kind, out, namespace);
        if (kind.hasAwsResource() && spec.path("awsName").asText("").isEmpty()) {
            spec.put("awsName", kind.defaultAwsName(self.name(), namespace));
        }
        if (kind == AppMeshKind.MESH) {
            return out;
        }
        try {
            if (!spec.hasNonNull("meshRef")) {
                MeshObject mesh = references.meshForNamespace(namespace);
                spec.putObject("meshRef").put("name", mesh.name()).put("uid", mesh.uid());
            }
            if (kind == AppMeshKind.GATEWAY_ROUTE && !spec.hasNonNull("virtualGatewayRef")) {
                MeshObject gateway = references.gatewayOf(meshObject(kind, out, namespace));
                spec.putObject("virtualGatewayRef").put("namespace", gateway.namespace()).put("name", gateway.name()).put("uid", gateway.uid());
            }
        } catch (UnresolvedReferenceException e) {
            throw new InjectionRefusedException(e.getMessage());
        }
        return out;
    }

    /** Why the object (replacing {@code old} on an update, else null) cannot be admitted; empty when it can. */
    public List<String> validate(AppMeshKind kind, JsonNode object, JsonNode old) {
        List<String> problems = new ArrayList<>();
        JsonNode spec = object.path("spec");
        if (old != null) {
            JsonNode before = old.path("spec");
            immutable(problems, before, spec, "awsName");
            immutable(problems, before, spec, "meshRef");
            if (kind == AppMeshKind.MESH) {
                immutable(problems, before, spec, "meshOwner");
            }
            if (kind == AppMeshKind.GATEWAY_ROUTE) {
                immutable(problems, before, spec, "virtualGatewayRef");
            }
        }
        String awsName = spec.path("awsName").asText("");
        if (awsName.length() > 255) {
            problems.add("spec.awsName is longer than App Mesh's 255 characters");
        }
        switch (kind) {
            case VIRTUAL_NODE -> {
                JsonNode discovery = spec.path("serviceDiscovery");
                if (discovery.has("dns") && discovery.has("awsCloudMap")) {
                    problems.add("spec.serviceDiscovery takes one of dns or awsCloudMap, not both");
                }
                for (int i = 0; i < spec.path("backends").size(); i++) {
                    exactlyOne(problems, spec.path("backends").get(i).path("virtualService"), "spec.backends[" + i + "].virtualService",
                            "virtualServiceRef", "virtualServiceARN");
                }
            }
            case VIRTUAL_SERVICE -> {
                JsonNode provider = spec.path("provider");
                if (provider.has("virtualNode") && provider.has("virtualRouter")) {
                    problems.add("spec.provider takes one of virtualNode or virtualRouter, not both");
                }
                if (provider.has("virtualNode")) {
                    exactlyOne(problems, provider.get("virtualNode"), "spec.provider.virtualNode", "virtualNodeRef", "virtualNodeARN");
                }
                if (provider.has("virtualRouter")) {
                    exactlyOne(problems, provider.get("virtualRouter"), "spec.provider.virtualRouter", "virtualRouterRef", "virtualRouterARN");
                }
            }
            case VIRTUAL_ROUTER -> {
                List<String> names = new ArrayList<>();
                JsonNode routes = spec.path("routes");
                for (int i = 0; i < routes.size(); i++) {
                    String name = routes.get(i).path("name").asText("");
                    if (names.contains(name)) {
                        problems.add("spec.routes[" + i + "]: route name " + name + " is used twice");
                    }
                    names.add(name);
                    routes.get(i).findParents("weightedTargets").forEach(action -> {
                        for (JsonNode target : action.get("weightedTargets")) {
                            exactlyOne(problems, target, "spec.routes[" + names.size() + "] weightedTargets", "virtualNodeRef", "virtualNodeARN");
                        }
                    });
                }
            }
            case GATEWAY_ROUTE -> {
                for (String type : List.of("httpRoute", "http2Route", "grpcRoute")) {
                    JsonNode service = spec.path(type).path("action").path("target").path("virtualService");
                    if (!service.isMissingNode()) {
                        exactlyOne(problems, service, "spec." + type + ".action.target.virtualService", "virtualServiceRef", "virtualServiceARN");
                    }
                }
                long routes = List.of("httpRoute", "http2Route", "grpcRoute").stream().filter(spec::has).count();
                if (routes != 1) {
                    problems.add("spec takes exactly one of httpRoute, http2Route or grpcRoute");
                }
            }
            default -> {
            }
        }
        return problems;
    }

    private static void exactlyOne(List<String> problems, JsonNode node, String path, String ref, String arn) {
        if (node.has(ref) == node.has(arn)) {
            problems.add(path + " takes exactly one of " + ref + " or " + arn);
        }
    }

    private static void immutable(List<String> problems, JsonNode before, JsonNode after, String field) {
        JsonNode was = before.get(field);
        if (was != null && !was.isNull() && !Objects.equals(was, after.get(field))) {
            problems.add("spec." + field + " cannot be changed (was " + was + ")");
        }
    }

    private static MeshObject meshObject(AppMeshKind kind, ObjectNode object, String namespace) {
        GenericKubernetesResource resource = KubeJson.resource(object);
        resource.setKind(kind.kind());
        if (resource.getMetadata() != null && kind.namespaced() && resource.getMetadata().getNamespace() == null) {
            resource.getMetadata().setNamespace(namespace);
        }
        return new MeshObject(kind, resource);
    }
}
