package io.meshwork.lambdahooks.cloudformation;

import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.appmesh.model.GatewayRouteSpec;
import software.amazon.awssdk.services.appmesh.model.MeshSpec;
import software.amazon.awssdk.services.appmesh.model.RouteSpec;
import software.amazon.awssdk.services.appmesh.model.VirtualGatewaySpec;
import software.amazon.awssdk.services.appmesh.model.VirtualNodeSpec;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterSpec;
import software.amazon.awssdk.services.appmesh.model.VirtualServiceSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The seven {@code Custom::Meshwork*} types, each standing for its {@code AWS::AppMesh::*} type:
 * its properties, where it lives in the App Mesh API, its spec's shape and its GetAtt attributes.
 */
public enum MeshworkResourceType {
    MESH("Mesh", null, "", "meshName", MeshSpec::builder),
    VIRTUAL_NODE("VirtualNode", null, "/virtualNodes", "virtualNodeName", VirtualNodeSpec::builder),
    VIRTUAL_SERVICE("VirtualService", null, "/virtualServices", "virtualServiceName", VirtualServiceSpec::builder),
    VIRTUAL_ROUTER("VirtualRouter", null, "/virtualRouters", "virtualRouterName", VirtualRouterSpec::builder),
    ROUTE("Route", "VirtualRouterName", "/virtualRouter/%s/routes", "routeName", RouteSpec::builder),
    VIRTUAL_GATEWAY("VirtualGateway", null, "/virtualGateways", "virtualGatewayName", VirtualGatewaySpec::builder),
    GATEWAY_ROUTE("GatewayRoute", "VirtualGatewayName", "/virtualGateway/%s/gatewayRoutes", "gatewayRouteName", GatewayRouteSpec::builder);

    private final String kind;
    private final String parentProperty;
    private final String collection;
    private final String nameField;
    private final Supplier<SdkPojo> spec;

    MeshworkResourceType(String kind, String parentProperty, String collection, String nameField, Supplier<? extends SdkPojo> spec) {
        this.kind = kind;
        this.parentProperty = parentProperty;
        this.collection = collection;
        this.nameField = nameField;
        this.spec = spec::get;
    }

    public static Optional<MeshworkResourceType> of(String resourceType) {
        return Arrays.stream(values()).filter(t -> t.customType().equals(resourceType)).findFirst();
    }

    /** {@code Custom::MeshworkVirtualNode}. */
    public String customType() {
        return "Custom::Meshwork" + kind;
    }

    /** {@code AWS::AppMesh::VirtualNode}. */
    public String appMeshType() {
        return "AWS::AppMesh::" + kind;
    }

    /** The property naming the resource itself: {@code MeshName} for a mesh, {@code VirtualNodeName}, ... */
    public String nameProperty() {
        return kind + "Name";
    }

    /** {@code VirtualRouterName} or {@code VirtualGatewayName} for routes; null otherwise. */
    public String parentProperty() {
        return parentProperty;
    }

    /** Properties whose change replaces the resource (a new physical id), as CloudFormation's AWS::AppMesh types do. */
    public List<String> identityProperties() {
        return this == MESH ? List.of("MeshName") : parentProperty == null ? List.of("MeshName", "MeshOwner", nameProperty())
                : List.of("MeshName", "MeshOwner", parentProperty, nameProperty());
    }

    /** Every property the type takes. */
    public List<String> properties() {
        List<String> names = new java.util.ArrayList<>(identityProperties());
        names.addAll(List.of("Spec", "Tags"));
        return names;
    }

    /** The API's member for the resource's name in a create request: {@code virtualNodeName}, ... */
    public String nameField() {
        return nameField;
    }

    public Supplier<SdkPojo> spec() {
        return spec;
    }

    /** The API path of the collection a create goes to. */
    public String collectionPath(String mesh, String parent) {
        String base = "/v20190125/meshes";
        if (this == MESH) {
            return base;
        }
        return base + "/" + encode(mesh) + (parent == null ? collection : collection.formatted(encode(parent)));
    }

    /** The API path of one resource. */
    public String resourcePath(String mesh, String parent, String name) {
        return collectionPath(mesh, parent) + "/" + encode(name);
    }

    /** What {@code Fn::GetAtt} can ask of this type. */
    public List<String> attributes() {
        List<String> names = new java.util.ArrayList<>(List.of("Arn", "Id", "MeshName", "MeshOwner", "ResourceOwner", "Uid"));
        if (this != MESH) {
            names.add(nameProperty());
        }
        if (parentProperty != null) {
            names.add(parentProperty);
        }
        return names;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
