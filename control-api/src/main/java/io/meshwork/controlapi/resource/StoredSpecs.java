package io.meshwork.controlapi.resource;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/** The specs of other resources as the write being checked sees them (in its own transaction). */
@FunctionalInterface
public interface StoredSpecs {
    Optional<JsonNode> find(ResourceKey key);
}
