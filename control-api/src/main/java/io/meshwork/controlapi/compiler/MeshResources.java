package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.Endpoint;

import java.util.List;
import java.util.Map;

/**
 * Everything the compiler reads about one mesh: the specs of all its resources by name, and
 * the endpoints known for each virtual node. Routes and gateway routes are grouped by their
 * router or gateway. {@code trustBundle} is the trust domain's CA certificates (PEM) when the
 * mesh uses TLS, else null.
 */
public record MeshResources(String mesh, long revision, JsonNode meshSpec, Map<String, JsonNode> nodes,
                            Map<String, JsonNode> services, Map<String, JsonNode> routers,
                            Map<String, Map<String, JsonNode>> routesByRouter, Map<String, JsonNode> gateways,
                            Map<String, Map<String, JsonNode>> gatewayRoutesByGateway,
                            Map<String, List<Endpoint>> endpointsByNode, String trustBundle) {
    public MeshResources withTrustBundle(String bundle) {
        return new MeshResources(mesh, revision, meshSpec, nodes, services, routers, routesByRouter, gateways,
                gatewayRoutesByGateway, endpointsByNode, bundle);
    }
}
