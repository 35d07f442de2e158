package io.meshwork.eks.resources;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The seven kinds of {@code appmesh.k8s.aws/v1beta2}, as App Mesh's controller defined them: where
 * each lives in Kubernetes, the App Mesh resource it stands for, its status ARN field, its
 * condition and the AWS name it gets when {@code spec.awsName} is not set.
 */
public enum AppMeshKind {
    MESH("Mesh", "meshes", false, "/v20190125/meshes", "meshName"),
    VIRTUAL_NODE("VirtualNode", "virtualnodes", true, "/virtualNodes", "virtualNodeName"),
    VIRTUAL_SERVICE("VirtualService", "virtualservices", true, "/virtualServices", "virtualServiceName"),
    VIRTUAL_ROUTER("VirtualRouter", "virtualrouters", true, "/virtualRouters", "virtualRouterName"),
    VIRTUAL_GATEWAY("VirtualGateway", "virtualgateways", true, "/virtualGateways", "virtualGatewayName"),
    GATEWAY_ROUTE("GatewayRoute", "gatewayroutes", true, "/virtualGateway/%s/gatewayRoutes", "gatewayRouteName"),
    /** A named set of virtual services for nodes' backends; no App Mesh resource of its own. */
    BACKEND_GROUP("BackendGroup", "backendgroups", true, null, null);

    public static final String GROUP = "appmesh.k8s.aws";
    public static final String VERSION = "v1beta2";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private final String kind;
    private final String plural;
    private final boolean namespaced;
    private final String collection;
    private final String nameField;

    AppMeshKind(String kind, String plural, boolean namespaced, String collection, String nameField) {
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
        this.collection = collection;
        this.nameField = nameField;
    }

    public static Optional<AppMeshKind> ofKind(String kind) {
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    /** The kind as the webhook paths spell it: {@code virtualnode}. */
    public static Optional<AppMeshKind> ofPathSegment(String segment) {
        return Arrays.stream(values()).filter(k -> k.pathSegment().equals(segment)).findFirst();
    }

    public String kind() {
        return kind;
    }

    public String plural() {
        return plural;
    }

    public boolean namespaced() {
        return namespaced;
    }

    public String pathSegment() {
        return kind.toLowerCase(Locale.ROOT);
    }

    /** Whether objects of this kind are App Mesh resources the controller creates and deletes. */
    public boolean hasAwsResource() {
        return collection != null;
    }

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion(VERSION).withKind(kind).withPlural(plural)
                .withNamespaced(namespaced).build();
    }

    /** {@code status.virtualNodeARN}'s field name. */
    public String statusArnField() {
        return Character.toLowerCase(kind.charAt(0)) + kind.substring(1) + "ARN";
    }

    /** {@code VirtualNodeActive}. */
    public String activeCondition() {
        return kind + "Active";
    }

    /** The API member naming the resource in a create request. */
    public String nameField() {
        return nameField;
    }

    /**
     * The AWS name App Mesh's controller gave an object without {@code spec.awsName}: a mesh its
     * own name, a virtual service {@code name.namespace} (its DNS-like name), the rest
     * {@code name_namespace}.
     */
    public String defaultAwsName(String name, String namespace) {
        return switch (this) {
            case MESH -> name;
            case VIRTUAL_SERVICE -> name + "." + namespace;
            default -> name + "_" + namespace;
        };
    }

    /** The API path of the collection a create goes to; {@code parent} names a gateway route's gateway. */
    public String collectionPath(String mesh, String parent) {
        if (this == MESH) {
            return collection;
        }
        String base = MESH.collection + "/" + encode(mesh);
        return base + (parent == null ? collection : collection.formatted(encode(parent)));
    }

    public String resourcePath(String mesh, String parent, String name) {
        return this == MESH ? collection + "/" + encode(name) : collectionPath(mesh, parent) + "/" + encode(name);
    }

    /** A virtual router's route (inline in the VirtualRouter object; no kind of its own). */
    public static String routePath(String mesh, String router, String route) {
        return MESH.collection + "/" + encode(mesh) + "/virtualRouter/" + encode(router) + "/routes" + (route == null ? "" : "/" + encode(route));
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
