package io.meshwork.eks.resources;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonDiff;
import io.meshwork.proxyapi.SnapshotJson;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Between Meshwork's JSON (Jackson 2, as the rest of Meshwork) and fabric8's (Jackson 3): objects
 * cross as text, which keeps each library on its own Jackson.
 */
public final class KubeJson {
    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();
    private static final JsonMapper JACKSON3 = JsonMapper.builder().build();

    private KubeJson() {
    }

    public static GenericKubernetesResource resource(JsonNode object) {
        return FABRIC8.unmarshal(object.toString(), GenericKubernetesResource.class);
    }

    /** Any fabric8 model object as a JSON tree. */
    public static JsonNode tree(Object fabric8) {
        try {
            return SnapshotJson.mapper().readTree(FABRIC8.asJson(fabric8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The RFC 6902 JSON Patch turning {@code before} into {@code after} (zjsonpatch). */
    public static JsonNode patch(JsonNode before, JsonNode after) {
        var diff = JsonDiff.asJson(JACKSON3.readTree(before.toString()), JACKSON3.readTree(after.toString()));
        try {
            return SnapshotJson.mapper().readTree(JACKSON3.writeValueAsString(diff));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
