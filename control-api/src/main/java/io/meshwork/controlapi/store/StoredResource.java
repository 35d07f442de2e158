package io.meshwork.controlapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.ResourceKey;

/**
 * One resource as stored: identity, metadata and the spec as the client sent it. The spec is
 * kept as JSON text: most reads only pass it on, so it is parsed only when a rule needs it.
 */
public record StoredResource(long id, ResourceKey key, String uid, long version, long createdAtMillis,
                             long updatedAtMillis, String specJson) {
    public JsonNode spec() {
        return StrictJson.read(specJson);
    }
}
