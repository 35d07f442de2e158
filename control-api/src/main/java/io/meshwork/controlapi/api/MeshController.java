package io.meshwork.controlapi.api;

import io.meshwork.controlapi.resource.ResourceService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.Map;

import static io.meshwork.controlapi.resource.ResourceKind.MESH;

/** CreateMesh, ListMeshes, DescribeMesh, UpdateMesh and DeleteMesh on their App Mesh paths. */
@Controller("/v20190125/meshes")
@ExecuteOn(TaskExecutors.BLOCKING)
final class MeshController {
    private final ResourceOperations operations;

    MeshController(AppMeshApi api, ResourceService resources) {
        this.operations = new ResourceOperations(api, resources, MESH);
    }

    @Put
    HttpResponse<byte[]> create(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return operations.create(request, body, Map.of());
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request) {
        return operations.list(request, Map.of());
    }

    @Get("/{meshName}")
    HttpResponse<byte[]> describe(HttpRequest<?> request, String meshName) {
        return operations.describe(request, Map.of("meshName", meshName));
    }

    @Put("/{meshName}")
    HttpResponse<byte[]> update(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName) {
        return operations.update(request, body, Map.of("meshName", meshName));
    }

    @Delete("/{meshName}")
    HttpResponse<byte[]> delete(HttpRequest<?> request, String meshName) {
        return operations.delete(request, Map.of("meshName", meshName));
    }
}
