package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A gateway route: a match, the target virtual service (and port), and the rewrites applied
 * before the request enters the mesh.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayRoute(String name, int priority, Protocol protocol, HttpMatch http, GrpcMatch grpc,
                           String targetService, Integer targetPort, Rewrite rewrite) {
}
