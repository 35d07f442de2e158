package io.meshwork.controlapi.resource.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.resource.SpecRules;

/** A mesh with no egress filter gets App Mesh's default, DROP_ALL. */
public final class MeshRules implements SpecRules {
    @Override
    public JsonNode withDefaults(JsonNode spec) {
        if (spec.has("egressFilter")) {
            return spec;
        }
        ObjectNode copy = ((ObjectNode) spec).deepCopy();
        copy.putObject("egressFilter").put("type", "DROP_ALL");
        return copy;
    }
}
