package io.meshwork.proxy.settings;

/**
 * The virtual node or gateway this proxy serves, from {@code APPMESH_RESOURCE_ARN}: a full ARN
 * ({@code arn:aws:appmesh:REGION:ACCOUNT:mesh/M/virtualNode/N}) or the short form
 * {@code mesh/M/virtualNode/N} that many task definitions used.
 */
public record ResourceRef(String mesh, String kind, String name, String arn, String regionOrNull) {
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
        return new ResourceRef(segments[1], segments[2], segments[3], value.trim(), region);
    }

    public boolean isGateway() {
        return VIRTUAL_GATEWAY.equals(kind);
    }

    @Override
    public String toString() {
        return "mesh/" + mesh + "/" + kind + "/" + name;
    }
}
