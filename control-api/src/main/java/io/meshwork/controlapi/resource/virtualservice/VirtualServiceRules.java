package io.meshwork.controlapi.resource.virtualservice;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.SpecRules;

import java.util.List;

/** A virtual service's provider (a node or a router) must exist. */
public final class VirtualServiceRules implements SpecRules {
    @Override
    public List<ResourceKey> references(String mesh, JsonNode spec) {
        JsonNode provider = spec.path("provider");
        if (provider.has("virtualNode")) {
            return List.of(ResourceKey.inMesh(ResourceKind.VIRTUAL_NODE, mesh,
                    provider.path("virtualNode").path("virtualNodeName").asText()));
        }
        if (provider.has("virtualRouter")) {
            return List.of(ResourceKey.inMesh(ResourceKind.VIRTUAL_ROUTER, mesh,
                    provider.path("virtualRouter").path("virtualRouterName").asText()));
        }
        return List.of();
    }
}
