package io.meshwork.controlapi.api;

import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.ResourceService;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;

import java.util.Map;

/**
 * The five operations of one resource kind (CreateVirtualNode, ListVirtualNodes, ...),
 * each run through the {@link AppMeshApi} skeleton. Controllers only bind paths to these.
 */
final class ResourceOperations {
    private final AppMeshApi api;
    private final ResourceService resources;
    private final ResourceKind kind;
    private final String create;
    private final String list;
    private final String describe;
    private final String update;
    private final String delete;

    ResourceOperations(AppMeshApi api, ResourceService resources, ResourceKind kind) {
        this.api = api;
        this.resources = resources;
        this.kind = kind;
        String plural = kind.listMember();
        this.create = "Create" + kind.typeName();
        this.list = "List" + Character.toUpperCase(plural.charAt(0)) + plural.substring(1);
        this.describe = "Describe" + kind.typeName();
        this.update = "Update" + kind.typeName();
        this.delete = "Delete" + kind.typeName();
    }

    HttpResponse<byte[]> create(HttpRequest<?> request, byte[] body, Map<String, String> path) {
        return api.call(request, body, create, path, AuthTarget.resource(kind), in -> resources.create(create, kind, in));
    }

    HttpResponse<byte[]> list(HttpRequest<?> request, Map<String, String> path) {
        return api.call(request, null, list, path, AuthTarget.collection(kind), in -> resources.list(kind, in));
    }

    HttpResponse<byte[]> describe(HttpRequest<?> request, Map<String, String> path) {
        return api.call(request, null, describe, path, AuthTarget.resource(kind), in -> resources.describe(kind, in));
    }

    HttpResponse<byte[]> update(HttpRequest<?> request, byte[] body, Map<String, String> path) {
        return api.call(request, body, update, path, AuthTarget.resource(kind), in -> resources.update(update, kind, in));
    }

    HttpResponse<byte[]> delete(HttpRequest<?> request, Map<String, String> path) {
        return api.call(request, null, delete, path, AuthTarget.resource(kind), in -> resources.delete(kind, in));
    }
}
