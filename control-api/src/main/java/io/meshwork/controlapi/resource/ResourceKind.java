package io.meshwork.controlapi.resource;

/**
 * The seven App Mesh resource types and how each is named on the wire: its ARN segment,
 * the JSON member that carries its name, the key of its List output, and its parent.
 */
public enum ResourceKind {
    MESH("mesh", "Mesh", "meshName", "meshes", null),
    VIRTUAL_SERVICE("virtualService", "VirtualService", "virtualServiceName", "virtualServices", MESH),
    VIRTUAL_ROUTER("virtualRouter", "VirtualRouter", "virtualRouterName", "virtualRouters", MESH),
    ROUTE("route", "Route", "routeName", "routes", VIRTUAL_ROUTER),
    VIRTUAL_NODE("virtualNode", "VirtualNode", "virtualNodeName", "virtualNodes", MESH),
    VIRTUAL_GATEWAY("virtualGateway", "VirtualGateway", "virtualGatewayName", "virtualGateways", MESH),
    GATEWAY_ROUTE("gatewayRoute", "GatewayRoute", "gatewayRouteName", "gatewayRoutes", VIRTUAL_GATEWAY);

    private final String arnSegment;
    private final String typeName;
    private final String nameMember;
    private final String listMember;
    private final ResourceKind parent;

    ResourceKind(String arnSegment, String typeName, String nameMember, String listMember, ResourceKind parent) {
        this.arnSegment = arnSegment;
        this.typeName = typeName;
        this.nameMember = nameMember;
        this.listMember = listMember;
        this.parent = parent;
    }

    /** {@code virtualNode}: the segment in ARNs, also the stored kind. */
    public String arnSegment() {
        return arnSegment;
    }

    /** {@code VirtualNode}: used in shape names and messages. */
    public String typeName() {
        return typeName;
    }

    /** {@code virtualNodeName}: the JSON member holding the resource's name. */
    public String nameMember() {
        return nameMember;
    }

    /** {@code virtualNodes}: the array member of the List output. */
    public String listMember() {
        return listMember;
    }

    /** The kind this one lives under: the mesh, or a router for routes and a gateway for gateway routes. */
    public ResourceKind parent() {
        return parent;
    }

    /** True for routes and gateway routes, which live under a router or a gateway rather than the mesh. */
    public boolean hasNamedParent() {
        return parent != null && parent != MESH;
    }

    /** True for routers and gateways, which hold routes and gateway routes. */
    public boolean holdsRoutes() {
        return this == VIRTUAL_ROUTER || this == VIRTUAL_GATEWAY;
    }

    public String specShape() {
        return typeName + "Spec";
    }

    public static ResourceKind fromArnSegment(String segment) {
        for (ResourceKind kind : values()) {
            if (kind.arnSegment.equals(segment)) {
                return kind;
            }
        }
        return null;
    }
}
