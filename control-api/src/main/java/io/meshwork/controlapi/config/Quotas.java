package io.meshwork.controlapi.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Resource quotas; a create beyond one answers LimitExceededException. The defaults leave
 * room for a mesh of 10,000 virtual nodes with a service, a router and a route for each.
 * Each is settable, e.g. {@code CONTROL_API_QUOTAS_VIRTUAL_NODES_PER_MESH=20000}.
 */
@ConfigurationProperties("control-api.quotas")
public record Quotas(
        @Bindable(defaultValue = "1000") int meshes,
        @Bindable(defaultValue = "50000") int virtualServicesPerMesh,
        @Bindable(defaultValue = "50000") int virtualNodesPerMesh,
        @Bindable(defaultValue = "20000") int virtualRoutersPerMesh,
        @Bindable(defaultValue = "1000") int routesPerVirtualRouter,
        @Bindable(defaultValue = "1000") int virtualGatewaysPerMesh,
        @Bindable(defaultValue = "1000") int gatewayRoutesPerVirtualGateway,
        @Bindable(defaultValue = "500") int backendsPerVirtualNode,
        @Bindable(defaultValue = "50") int listenersPerResource) {
}
