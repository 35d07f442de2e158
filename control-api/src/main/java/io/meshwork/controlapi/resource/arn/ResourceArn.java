package io.meshwork.controlapi.resource.arn;

import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;

/**
 * Formats and parses App Mesh ARNs:
 * {@code arn:aws:appmesh:REGION:ACCOUNT:mesh/M[/virtualRouter/R[/route/N] | /virtualNode/N | ...]}.
 */
public final class ResourceArn {
    private final String region;
    private final String account;

    public ResourceArn(String region, String account) {
        this.region = region;
        this.account = account;
    }

    public String prefix() {
        return "arn:aws:appmesh:" + region + ":" + account + ":";
    }

    public String format(ResourceKey key) {
        StringBuilder sb = new StringBuilder(prefix()).append("mesh/").append(key.mesh());
        if (key.kind() == ResourceKind.MESH) {
            return sb.toString();
        }
        if (key.kind().hasNamedParent()) {
            sb.append('/').append(key.kind().parent().arnSegment()).append('/').append(key.parent());
        }
        return sb.append('/').append(key.kind().arnSegment()).append('/').append(key.name()).toString();
    }

    /** The key an ARN names; NotFound for ARNs of another region or account, BadRequest if malformed. */
    public ResourceKey parse(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !"arn".equals(parts[0]) || !"appmesh".equals(parts[2])) {
            throw AppMeshException.badRequest("'" + arn + "' is not an App Mesh resource ARN");
        }
        if (!region.equals(parts[3]) || !account.equals(parts[4])) {
            throw AppMeshException.notFound("No resource with ARN " + arn + " exists in region " + region
                    + " for account " + account);
        }
        String[] path = parts[5].split("/", -1);
        if (path.length < 2 || !"mesh".equals(path[0]) || path[1].isEmpty()) {
            throw AppMeshException.badRequest("'" + arn + "' does not name a mesh resource");
        }
        String mesh = path[1];
        if (path.length == 2) {
            return ResourceKey.mesh(mesh);
        }
        ResourceKind kind = path.length == 4 || path.length == 6 ? ResourceKind.fromArnSegment(path[path.length - 2]) : null;
        if (kind == null || kind == ResourceKind.MESH || path[path.length - 1].isEmpty()) {
            throw AppMeshException.badRequest("'" + arn + "' does not name an App Mesh resource");
        }
        if (path.length == 4 && !kind.hasNamedParent()) {
            return ResourceKey.inMesh(kind, mesh, path[3]);
        }
        if (path.length == 6 && kind.hasNamedParent() && kind.parent().arnSegment().equals(path[2]) && !path[3].isEmpty()) {
            return new ResourceKey(kind, mesh, path[3], path[5]);
        }
        throw AppMeshException.badRequest("'" + arn + "' does not name an App Mesh resource");
    }
}
