package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.auth.keys.AccessKeys;
import io.meshwork.controlapi.auth.keys.PolicyJson;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.math.BigDecimal;

/**
 * Meshwork's own API for access keys (not part of App Mesh): create a key with an IAM-style
 * policy, list keys, replace a key's policy, revoke a key. Calls are SigV4-signed like every
 * other and need the actions {@code meshwork:CreateAccessKey}, {@code meshwork:ListAccessKeys},
 * {@code meshwork:PutAccessKeyPolicy} and {@code meshwork:DeleteAccessKey} on
 * {@code arn:meshwork:iam::ACCOUNT:access-key/ID}. The secret is returned once, at creation.
 */
@Controller("/meshwork/v1/access-keys")
@ExecuteOn(TaskExecutors.BLOCKING)
final class AccessKeyController {
    private static final int MAX_NAME = 255;

    private final AppMeshApi api;
    private final AccessKeys keys;
    private final String arnPrefix;

    AccessKeyController(AppMeshApi api, AccessKeys keys, ControlApiSettings settings) {
        this.api = api;
        this.keys = keys;
        this.arnPrefix = "arn:meshwork:iam::" + settings.accountId() + ":access-key/";
    }

    @Post
    HttpResponse<byte[]> create(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return api.callExtension(request, body, "meshwork:CreateAccessKey", arnPrefix + "*", input -> {
            String name = input.path("name").asText("");
            if (name.isBlank() || name.length() > MAX_NAME) {
                throw AppMeshException.badRequest("'name' is required, 1 to " + MAX_NAME + " characters");
            }
            AccessKey key = keys.create(name, PolicyDocument.parse(input.get("policy")));
            return describe(key).put("secretAccessKey", key.secretAccessKey());
        });
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request) {
        return api.callExtension(request, null, "meshwork:ListAccessKeys", arnPrefix + "*", input -> {
            ObjectNode out = StrictJson.mapper().createObjectNode();
            var list = out.putArray("accessKeys");
            keys.list().forEach(k -> list.add(describe(k)));
            return out;
        });
    }

    @Put("/{accessKeyId}/policy")
    HttpResponse<byte[]> putPolicy(HttpRequest<?> request, @Nullable @Body byte[] body, String accessKeyId) {
        return api.callExtension(request, body, "meshwork:PutAccessKeyPolicy", arnPrefix + accessKeyId, input -> {
            if (!keys.updatePolicy(accessKeyId, PolicyDocument.parse(input))) {
                throw AppMeshException.notFound("No access key " + accessKeyId);
            }
            return describe(keys.find(accessKeyId).orElseThrow());
        });
    }

    @Delete("/{accessKeyId}")
    HttpResponse<byte[]> delete(HttpRequest<?> request, String accessKeyId) {
        return api.callExtension(request, null, "meshwork:DeleteAccessKey", arnPrefix + accessKeyId, input -> {
            if (!keys.delete(accessKeyId)) {
                throw AppMeshException.notFound("No access key " + accessKeyId);
            }
            return StrictJson.mapper().createObjectNode();
        });
    }

    private static ObjectNode describe(AccessKey key) {
        ObjectNode node = StrictJson.mapper().createObjectNode();
        node.put("accessKeyId", key.accessKeyId());
        node.put("name", key.name());
        node.put("root", key.root());
        node.put("createdAt", BigDecimal.valueOf(key.createdAtMillis(), 3));
        node.set("policy", PolicyJson.toJson(key.policy()));
        return node;
    }
}
