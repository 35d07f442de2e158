package io.meshwork.proxy.settings;

/**
 * The virtual node or gateway this proxy serves, from {@code APPMESH_RESOURCE_ARN}: a full ARN
 * ({@code arn:aws:appmesh:REGION:ACCOUNT:mesh/M/virtualNode/N}), the short form
 * {@code mesh/M/virtualNode/N} that many task definitions used, or the shared-mesh form
 * {@code mesh/M@OWNER/virtualNode/N} the App Mesh controller wrote when another account owned
 * the mesh.
 *
 * @param meshOwnerOrNull the account that owns the mesh when the short form names one
 */
public record ResourceRef(String mesh, String kind, String name, String arn, String regionOrNull, String meshOwnerOrNull) {
    public static final String VIRTUAL_NODE = "virtualNode";
    public static final String VIRTUAL_GATEWAY = "virtualGateway";

    public static ResourceRef parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("APPMESH_RESOURCE_ARN is required, e.g. mesh/demo/virtualNode/frontend");
        }
        String region = null;
        String path = value.trim();
        if (path.startsWith("arn:")) {
            String[] parts = path.split(":", 6);
            if (parts.length != 6) {
                throw new IllegalArgumentException("APPMESH_RESOURCE_ARN '" + value + "' is not an ARN");
            }
            region = parts[3];
            path = parts[5];
        }
        String[] segments = path.split("/");
        if (segments.length != 4 || !"mesh".equals(segments[0])
                || !(VIRTUAL_NODE.equals(segments[2]) || VIRTUAL_GATEWAY.equals(segments[2]))
                || segments[1].isEmpty() || segments[3].isEmpty()) {
            throw new IllegalArgumentException("APPMESH_RESOURCE_ARN '" + value
                    + "' must name a virtual node or gateway: mesh/M/virtualNode/N or mesh/M/virtualGateway/G");
        }
        String mesh = segments[1];
        String owner = null;
        int at = mesh.indexOf('@');
        if (at >= 0) {
            owner = mesh.substring(at + 1);
            mesh = mesh.substring(0, at);
            if (mesh.isEmpty() || !owner.matches("[0-9]{12}")) {
                throw new IllegalArgumentException("APPMESH_RESOURCE_ARN '" + value
                        + "': a shared mesh is named mesh/M@ACCOUNT (a 12-digit owner account)");
            }
        }
        return new ResourceRef(mesh, segments[2], segments[3], value.trim(), region, owner);
    }

    /**
     * The ARN to send to the control plane: as given, except that the shared-mesh short form
     * becomes the full ARN in the owner's account ({@code region} is the proxy's).
     */
    public ResourceRef inRegion(String region) {
        if (meshOwnerOrNull == null || arn.startsWith("arn:")) {
            return this;
        }
        return new ResourceRef(mesh, kind, name, "arn:aws:appmesh:" + region + ":" + meshOwnerOrNull + ":" + this, region,
                meshOwnerOrNull);
    }

    public boolean isGateway() {
        return VIRTUAL_GATEWAY.equals(kind);
    }

    @Override
    public String toString() {
        return "mesh/" + mesh + "/" + kind + "/" + name;
    }
}
