package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.GatewayRoute;
import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.Rewrite;

/** One gateway route spec to a snapshot gateway route. */
final class GatewayRouteCompiler {
    private GatewayRouteCompiler() {
    }

    static GatewayRoute compile(String name, JsonNode spec) {
        String protocol = spec.has("grpcRoute") ? "grpc" : spec.has("http2Route") ? "http2" : "http";
        JsonNode route = spec.path(protocol.equals("grpc") ? "grpcRoute" : protocol.equals("http2") ? "http2Route" : "httpRoute");
        JsonNode match = route.path("match");
        HttpMatch http = protocol.equals("grpc") ? null : MatchCompiler.http(match);
        GrpcMatch grpc = protocol.equals("grpc") ? MatchCompiler.grpc(match) : null;
        JsonNode target = route.path("action").path("target");
        JsonNode rewrite = route.path("action").path("rewrite");
        Rewrite compiledRewrite = new Rewrite(
                rewrite.path("prefix").has("value") ? rewrite.path("prefix").get("value").asText() : null,
                "DISABLED".equals(rewrite.path("prefix").path("defaultPrefix").asText()),
                rewrite.path("path").has("exact") ? rewrite.path("path").get("exact").asText() : null,
                "DISABLED".equals(rewrite.path("hostname").path("defaultTargetHostname").asText()));
        int priority = spec.has("priority") ? spec.get("priority").asInt() : RouteOrder.UNSET_PRIORITY;
        return new GatewayRoute(name, priority, protocol, http, grpc,
                target.path("virtualService").path("virtualServiceName").asText(),
                target.has("port") ? target.get("port").asInt() : null, compiledRewrite);
    }
}
