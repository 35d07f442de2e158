package io.meshwork.controlapi.tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.PageToken;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceService;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.StoredResource;
import io.meshwork.controlapi.store.TagStore;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TagResource, UntagResource and ListTagsForResource. Tagging adds or overwrites by key and
 * never takes a resource past 50 tags: a request that would is refused whole.
 */
@Singleton
public final class TagService {
    public static final int MAX_TAGS = 50;
    private static final int DEFAULT_PAGE = 50;

    private final Database database;
    private final TagStore tags;
    private final ResourceService resources;
    private final ResourceArn arns;

    public TagService(Database database, TagStore tags, ResourceService resources, ControlApiSettings settings) {
        this.database = database;
        this.tags = tags;
        this.resources = resources;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
    }

    public JsonNode tag(ObjectNode input) {
        ResourceKey key = arns.parse(input.path("resourceArn").asText());
        Map<String, String> added = new LinkedHashMap<>();
        for (JsonNode tag : input.path("tags")) {
            added.put(tag.path("key").asText(), tag.path("value").asText());
        }
        database.inTransaction(tx -> {
            StoredResource resource = resources.find(tx, key, true);
            Set<String> keys = new HashSet<>(tags.keys(tx, resource.id()));
            keys.addAll(added.keySet());
            if (keys.size() > MAX_TAGS) {
                throw AppMeshException.tooManyTags("Tagging would give " + input.path("resourceArn").asText() + " "
                        + keys.size() + " tags; a resource may have at most " + MAX_TAGS);
            }
            tags.put(tx, resource.id(), added);
            return null;
        });
        return StrictJson.mapper().createObjectNode();
    }

    public JsonNode untag(ObjectNode input) {
        ResourceKey key = arns.parse(input.path("resourceArn").asText());
        List<String> removed = new ArrayList<>();
        input.path("tagKeys").forEach(k -> removed.add(k.asText()));
        database.inTransaction(tx -> {
            tags.remove(tx, resources.find(tx, key, true).id(), removed);
            return null;
        });
        return StrictJson.mapper().createObjectNode();
    }

    public JsonNode list(ObjectNode input) {
        ResourceKey key = arns.parse(input.path("resourceArn").asText());
        int limit = input.has("limit") ? input.get("limit").intValue() : DEFAULT_PAGE;
        String after = PageToken.decode(input.path("nextToken").asText(null));
        List<TagStore.Tag> page = database.inTransaction(tx ->
                tags.page(tx, resources.find(tx, key, false).id(), after, limit + 1));
        ObjectNode output = StrictJson.mapper().createObjectNode();
        ArrayNode list = output.putArray("tags");
        page.stream().limit(limit).forEach(t -> list.addObject().put("key", t.key()).put("value", t.value()));
        if (page.size() > limit) {
            output.put("nextToken", PageToken.after(page.get(limit - 1).key()));
        }
        return output;
    }
}
