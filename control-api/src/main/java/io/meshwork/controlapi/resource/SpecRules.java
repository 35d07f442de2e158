package io.meshwork.controlapi.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.config.Quotas;

import java.util.List;

/**
 * What one resource kind adds to the API model's own constraints: cross-field rules, the
 * defaults App Mesh filled in, and the other resources its spec must name correctly.
 */
public interface SpecRules {
    /**
     * Reports violations of rules the model cannot express. {@code parentSpec} is the spec of
     * the router or gateway for routes and gateway routes, null otherwise.
     */
    default void check(JsonNode spec, JsonNode parentSpec, Quotas quotas, Violations violations) {
    }

    /** The spec as App Mesh stored it, with the defaults it fills in. */
    default JsonNode withDefaults(JsonNode spec) {
        return spec;
    }

    /** Resources in the same mesh that must exist for this spec to be valid. */
    default List<ResourceKey> references(String mesh, JsonNode spec) {
        return List.of();
    }

    /**
     * Reports violations that depend on what other resources of the mesh hold, once every one of
     * {@link #references} is known to exist.
     */
    default void checkAgainstMesh(String mesh, JsonNode spec, StoredSpecs stored, Violations violations) {
    }
}
