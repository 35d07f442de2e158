package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.proxyapi.SnapshotJson;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A custom resource's spec as the App Mesh API's spec. The two share their shapes; what differs is
 * what Kubernetes adds: references by object ({@code virtualServiceRef}) or ARN
 * ({@code virtualServiceARN}) where the API takes a name, acronyms in capitals
 * ({@code certificateARN}), the mesh's {@code meshServiceDiscovery}, backend groups, and fields
 * only the controller reads (selectors, {@code awsName}, {@code meshRef}).
 */
public final class SpecTranslator {
    /** A backend group named {@code *}: all virtual services of the namespace. */
    public static final String WILDCARD = "*";

    private final References references;

    public SpecTranslator(References references) {
        this.references = references;
    }

    public ObjectNode apiSpec(MeshObject object) throws UnresolvedReferenceException {
        ObjectNode spec = object.spec().deepCopy();
        spec.remove(java.util.List.of("awsName", "meshRef"));
        switch (object.kind()) {
            case MESH -> {
                spec.remove(java.util.List.of("namespaceSelector", "meshOwner"));
                JsonNode discovery = spec.remove("meshServiceDiscovery");
                if (discovery != null) {
                    spec.set("serviceDiscovery", discovery);
                }
            }
            case VIRTUAL_NODE -> {
                spec.remove("podSelector");
                JsonNode groups = spec.remove("backendGroups");
                if (groups != null && !groups.isEmpty()) {
                    addBackendGroups(object, groups, spec);
                }
            }
            case VIRTUAL_ROUTER -> spec.remove("routes");
            case VIRTUAL_GATEWAY -> spec.remove(java.util.List.of("namespaceSelector", "podSelector", "gatewayRouteSelector"));
            case GATEWAY_ROUTE -> spec.remove("virtualGatewayRef");
            default -> {
            }
        }
        return (ObjectNode) convert(spec, "", object.namespace(), "spec");
    }

    /** A VirtualRouter's inline routes: name → the API's route spec. */
    public Map<String, ObjectNode> routes(MeshObject router) throws UnresolvedReferenceException {
        Map<String, ObjectNode> routes = new LinkedHashMap<>();
        JsonNode list = router.spec().path("routes");
        for (int i = 0; i < list.size(); i++) {
            ObjectNode route = list.get(i).deepCopy();
            String name = route.path("name").asText("");
            if (name.isEmpty()) {
                throw new UnresolvedReferenceException("spec.routes[" + i + "] needs a name");
            }
            route.remove("name");
            routes.put(name, (ObjectNode) convert(route, "", router.namespace(), "spec.routes[" + i + "]"));
        }
        return routes;
    }

    private JsonNode convert(JsonNode node, String parentKey, String namespace, String path) throws UnresolvedReferenceException {
        if (node.isArray()) {
            ArrayNode out = SnapshotJson.mapper().createArrayNode();
            for (int i = 0; i < node.size(); i++) {
                out.add(convert(node.get(i), parentKey, namespace, path + "[" + i + "]"));
            }
            return out;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode out = SnapshotJson.mapper().createObjectNode();
        for (var field : node.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            String at = path + "." + key;
            switch (key) {
                case "virtualServiceRef" -> out.put("virtualServiceName",
                        references.awsName(AppMeshKind.VIRTUAL_SERVICE, value, namespace, at));
                case "virtualServiceARN" -> out.put("virtualServiceName", nameInArn(value, at));
                // A weighted target names its node "virtualNode"; a service's provider "virtualNodeName".
                case "virtualNodeRef" -> out.put(parentKey.equals("weightedTargets") ? "virtualNode" : "virtualNodeName",
                        references.awsName(AppMeshKind.VIRTUAL_NODE, value, namespace, at));
                case "virtualNodeARN" -> out.put(parentKey.equals("weightedTargets") ? "virtualNode" : "virtualNodeName", nameInArn(value, at));
                case "virtualRouterRef" -> out.put("virtualRouterName", references.awsName(AppMeshKind.VIRTUAL_ROUTER, value, namespace, at));
                case "virtualRouterARN" -> out.put("virtualRouterName", nameInArn(value, at));
                default -> out.set(apiName(key), convert(value, key, namespace, at));
            }
        }
        return out;
    }

    /** {@code certificateARN} → {@code certificateArn}, {@code certificateAuthorityARNs} → {@code certificateAuthorityArns}. */
    static String apiName(String key) {
        if (key.endsWith("ARNs")) {
            return key.substring(0, key.length() - 4) + "Arns";
        }
        return key.endsWith("ARN") ? key.substring(0, key.length() - 3) + "Arn" : key;
    }

    private static String nameInArn(JsonNode arn, String path) throws UnresolvedReferenceException {
        String text = arn.asText("");
        int slash = text.lastIndexOf('/');
        if (!text.startsWith("arn:") || slash < 0 || slash == text.length() - 1) {
            throw new UnresolvedReferenceException(path + " is not an App Mesh ARN: " + text);
        }
        return text.substring(slash + 1);
    }

    private void addBackendGroups(MeshObject node, JsonNode groups, ObjectNode spec) throws UnresolvedReferenceException {
        ArrayNode backends = spec.has("backends") ? (ArrayNode) spec.get("backends") : spec.putArray("backends");
        Set<String> named = new HashSet<>();
        for (JsonNode backend : backends) {
            JsonNode service = backend.path("virtualService");
            named.add(service.hasNonNull("virtualServiceARN") ? nameInArn(service.get("virtualServiceARN"), "spec.backends")
                    : references.awsName(AppMeshKind.VIRTUAL_SERVICE, service.path("virtualServiceRef"), node.namespace(), "spec.backends"));
        }
        for (JsonNode groupRef : groups) {
            if (WILDCARD.equals(groupRef.path("name").asText())) {
                // "*": every virtual service of the namespace, as App Mesh's controller read it.
                String namespace = groupRef.path("namespace").asText("").isEmpty() ? node.namespace() : groupRef.path("namespace").asText();
                for (MeshObject service : references.all(AppMeshKind.VIRTUAL_SERVICE, namespace)) {
                    if (named.add(service.awsName())) {
                        backends.addObject().putObject("virtualService").put("virtualServiceName", service.awsName());
                    }
                }
                continue;
            }
            MeshObject group = references.referenced(AppMeshKind.BACKEND_GROUP, groupRef, node.namespace(), "spec.backendGroups");
            for (JsonNode serviceRef : group.spec().path("virtualservices")) {
                String name = references.awsName(AppMeshKind.VIRTUAL_SERVICE, serviceRef, group.namespace(),
                        "BackendGroup " + group.namespace() + "/" + group.name() + " spec.virtualservices");
                if (named.add(name)) {
                    backends.addObject().putObject("virtualService").put("virtualServiceName", name);
                }
            }
        }
    }
}
