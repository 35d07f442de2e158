package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.GatewayRoute;
import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.Rewrite;

/** One gateway route spec to a snapshot gateway route. */
final class GatewayRouteCompiler {
    private GatewayRouteCompiler() {
    }

    static GatewayRoute compile(String name, JsonNode spec) {
        Protocol protocol = spec.has("grpcRoute") ? Protocol.GRPC : spec.has("http2Route") ? Protocol.HTTP2 : Protocol.HTTP;
        JsonNode route = spec.path(protocol.wireName() + "Route");
        JsonNode match = route.path("match");
        HttpMatch http = protocol == Protocol.GRPC ? null : MatchCompiler.http(match);
        GrpcMatch grpc = protocol == Protocol.GRPC ? MatchCompiler.grpc(match) : null;
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
