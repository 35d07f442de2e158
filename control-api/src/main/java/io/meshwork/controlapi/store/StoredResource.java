package io.meshwork.controlapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.resource.ResourceKey;

/** One resource as stored: identity, metadata and the spec as the client sent it. */
public record StoredResource(long id, ResourceKey key, String uid, long version, long createdAtMillis,
                             long updatedAtMillis, JsonNode spec) {
}
