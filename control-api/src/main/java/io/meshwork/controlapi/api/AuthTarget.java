package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.arn.ResourceArn;

/** The resource ARN an operation acts on, which IAM policies are evaluated against. */
@FunctionalInterface
interface AuthTarget {
    String arn(JsonNode input, ResourceArn arns);

    /** Create, Describe, Update, Delete: the resource itself. */
    static AuthTarget resource(ResourceKind kind) {
        return (input, arns) -> arns.format(ResourceKey.fromInput(kind, input));
    }

    /** List: the mesh (or router, gateway) listed in; every mesh for ListMeshes. */
    static AuthTarget collection(ResourceKind kind) {
        return (input, arns) -> {
            if (kind == ResourceKind.MESH) {
                return arns.prefix() + "mesh/*";
            }
            String mesh = input.path("meshName").asText();
            return kind.hasNamedParent()
                    ? arns.format(ResourceKey.inMesh(kind.parent(), mesh, input.path(kind.parent().nameMember()).asText()))
                    : arns.format(ResourceKey.mesh(mesh));
        };
    }

    /** The tag operations: the resourceArn parameter. */
    static AuthTarget resourceArnParameter() {
        return (input, arns) -> input.path("resourceArn").asText();
    }
}
