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

import static io.meshwork.controlapi.resource.ResourceKind.ROUTE;

/** CreateRoute, ListRoutes, DescribeRoute, UpdateRoute and DeleteRoute on their App Mesh paths. */
@Controller("/v20190125/meshes/{meshName}/virtualRouter/{virtualRouterName}/routes")
@ExecuteOn(TaskExecutors.BLOCKING)
final class RouteController {
    private final ResourceOperations operations;

    RouteController(AppMeshApi api, ResourceService resources) {
        this.operations = new ResourceOperations(api, resources, ROUTE);
    }

    @Put
    HttpResponse<byte[]> create(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName, String virtualRouterName) {
        return operations.create(request, body, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName));
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request, String meshName, String virtualRouterName) {
        return operations.list(request, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName));
    }

    @Get("/{routeName}")
    HttpResponse<byte[]> describe(HttpRequest<?> request, String meshName, String virtualRouterName, String routeName) {
        return operations.describe(request, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName, "routeName", routeName));
    }

    @Put("/{routeName}")
    HttpResponse<byte[]> update(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName, String virtualRouterName, String routeName) {
        return operations.update(request, body, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName, "routeName", routeName));
    }

    @Delete("/{routeName}")
    HttpResponse<byte[]> delete(HttpRequest<?> request, String meshName, String virtualRouterName, String routeName) {
        return operations.delete(request, Map.of("meshName", meshName, "virtualRouterName", virtualRouterName, "routeName", routeName));
    }
}
