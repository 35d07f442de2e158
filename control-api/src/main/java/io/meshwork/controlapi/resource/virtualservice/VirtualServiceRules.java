package io.meshwork.controlapi.resource.virtualservice;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.SpecRules;

import java.util.List;
import java.util.Optional;

/** A virtual service's provider (a node or a router) must exist. */
public final class VirtualServiceRules implements SpecRules {
    @Override
    public List<ResourceKey> references(String mesh, JsonNode spec) {
        return provider(mesh, spec).stream().toList();
    }

    /** The virtual node or virtual router that provides a service with this spec, if any. */
    public static Optional<ResourceKey> provider(String mesh, JsonNode spec) {
        JsonNode provider = spec.path("provider");
        if (provider.has("virtualNode")) {
            return Optional.of(ResourceKey.inMesh(ResourceKind.VIRTUAL_NODE, mesh,
                    provider.path("virtualNode").path("virtualNodeName").asText()));
        }
        if (provider.has("virtualRouter")) {
            return Optional.of(ResourceKey.inMesh(ResourceKind.VIRTUAL_ROUTER, mesh,
                    provider.path("virtualRouter").path("virtualRouterName").asText()));
        }
        return Optional.empty();
    }
}
