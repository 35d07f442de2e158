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

import static io.meshwork.controlapi.resource.ResourceKind.GATEWAY_ROUTE;

/** CreateGatewayRoute, ListGatewayRoutes, DescribeGatewayRoute, UpdateGatewayRoute and DeleteGatewayRoute on their App Mesh paths. */
@Controller("/v20190125/meshes/{meshName}/virtualGateway/{virtualGatewayName}/gatewayRoutes")
@ExecuteOn(TaskExecutors.BLOCKING)
final class GatewayRouteController {
    private final ResourceOperations operations;

    GatewayRouteController(AppMeshApi api, ResourceService resources) {
        this.operations = new ResourceOperations(api, resources, GATEWAY_ROUTE);
    }

    @Put
    HttpResponse<byte[]> create(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName, String virtualGatewayName) {
        return operations.create(request, body, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName));
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request, String meshName, String virtualGatewayName) {
        return operations.list(request, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName));
    }

    @Get("/{gatewayRouteName}")
    HttpResponse<byte[]> describe(HttpRequest<?> request, String meshName, String virtualGatewayName, String gatewayRouteName) {
        return operations.describe(request, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName, "gatewayRouteName", gatewayRouteName));
    }

    @Put("/{gatewayRouteName}")
    HttpResponse<byte[]> update(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName, String virtualGatewayName, String gatewayRouteName) {
        return operations.update(request, body, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName, "gatewayRouteName", gatewayRouteName));
    }

    @Delete("/{gatewayRouteName}")
    HttpResponse<byte[]> delete(HttpRequest<?> request, String meshName, String virtualGatewayName, String gatewayRouteName) {
        return operations.delete(request, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName, "gatewayRouteName", gatewayRouteName));
    }
}
