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

import static io.meshwork.controlapi.resource.ResourceKind.VIRTUAL_GATEWAY;

/** CreateVirtualGateway, ListVirtualGateways, DescribeVirtualGateway, UpdateVirtualGateway and DeleteVirtualGateway on their App Mesh paths. */
@Controller("/v20190125/meshes/{meshName}/virtualGateways")
@ExecuteOn(TaskExecutors.BLOCKING)
final class VirtualGatewayController {
    private final ResourceOperations operations;

    VirtualGatewayController(AppMeshApi api, ResourceService resources) {
        this.operations = new ResourceOperations(api, resources, VIRTUAL_GATEWAY);
    }

    @Put
    HttpResponse<byte[]> create(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName) {
        return operations.create(request, body, Map.of("meshName", meshName));
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request, String meshName) {
        return operations.list(request, Map.of("meshName", meshName));
    }

    @Get("/{virtualGatewayName}")
    HttpResponse<byte[]> describe(HttpRequest<?> request, String meshName, String virtualGatewayName) {
        return operations.describe(request, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName));
    }

    @Put("/{virtualGatewayName}")
    HttpResponse<byte[]> update(HttpRequest<?> request, @Nullable @Body byte[] body, String meshName, String virtualGatewayName) {
        return operations.update(request, body, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName));
    }

    @Delete("/{virtualGatewayName}")
    HttpResponse<byte[]> delete(HttpRequest<?> request, String meshName, String virtualGatewayName) {
        return operations.delete(request, Map.of("meshName", meshName, "virtualGatewayName", virtualGatewayName));
    }
}
