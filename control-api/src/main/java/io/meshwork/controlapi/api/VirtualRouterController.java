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

import static io.meshwork.controlapi.resource.ResourceKind.VIRTUAL_ROUTER;

/** CreateVirtualRouter, ListVirtualRouters, DescribeVirtualRouter, UpdateVirtualRouter and DeleteVirtualRouter on their App Mesh paths. */
@Controller("/v20190125/meshes/{meshName}/virtualRouters")
@ExecuteOn(TaskExecutors.BLOCKING)
final class VirtualRouterController {
    private final ResourceOperations operations;

    VirtualRouterController(AppMeshApi api, ResourceService resources) {
        this.operations = new ResourceOperations(api, resources, VIRTUAL_ROUTER);
    }

    @Put
    HttpResponse<byte[]> create(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName) {
        return operations.create(request, body, Map.of("meshName", meshName));
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request, String meshName) {
        return operations.list(request, Map.of("meshName", meshName));
    }

    @Get("/{virtualRouterName}")
    HttpResponse<byte[]> describe(HttpRequest<?> request, String meshName, String virtualRouterName) {
        return operations.describe(request, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName));
    }

    @Put("/{virtualRouterName}")
    HttpResponse<byte[]> update(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName, String virtualRouterName) {
        return operations.update(request, body, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName));
    }

    @Delete("/{virtualRouterName}")
    HttpResponse<byte[]> delete(HttpRequest<?> request, String meshName, String virtualRouterName) {
        return operations.delete(request, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName));
    }
}
