package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.RetryPolicy;
import io.meshwork.proxyapi.Route;
import io.meshwork.proxyapi.WeightedTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One App Mesh route spec to one snapshot route for one router port. */
final class RouteCompiler {
    private static final Map<String, Protocol> PROTOCOL_OF = Map.of(
            "httpRoute", Protocol.HTTP, "http2Route", Protocol.HTTP2, "grpcRoute", Protocol.GRPC, "tcpRoute", Protocol.TCP);

    private RouteCompiler() {
    }

    /** The protocol a route spec is for, or null. */
    static Protocol protocol(JsonNode spec) {
        for (Map.Entry<String, Protocol> e : PROTOCOL_OF.entrySet()) {
            if (spec.has(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The route's block ({@code httpRoute}, ...) for a protocol. */
    static JsonNode block(JsonNode spec, Protocol protocol) {
        for (Map.Entry<String, Protocol> e : PROTOCOL_OF.entrySet()) {
            if (e.getValue() == protocol) {
                return spec.path(e.getKey());
            }
        }
        return spec.path("none");
    }

    static Route compile(String name, JsonNode spec, int routerPort, Map<String, JsonNode> nodes, List<String> problems) {
        Protocol protocol = protocol(spec);
        JsonNode route = block(spec, protocol);
        JsonNode match = route.path("match");
        HttpMatch http = protocol == Protocol.HTTP || protocol == Protocol.HTTP2 ? MatchCompiler.http(match) : null;
        GrpcMatch grpc = protocol == Protocol.GRPC ? MatchCompiler.grpc(match) : null;
        List<WeightedTarget> targets = new ArrayList<>();
        for (JsonNode t : route.path("action").path("weightedTargets")) {
            String node = t.path("virtualNode").asText();
            JsonNode nodeSpec = nodes.get(node);
            if (nodeSpec == null) {
                problems.add("route " + name + " targets virtual node " + node + ", which does not exist");
                continue;
            }
            Integer explicit = t.has("port") ? t.get("port").asInt() : null;
            targets.add(new WeightedTarget(node, targetPort(nodeSpec, explicit, routerPort, name, problems),
                    t.path("weight").asInt()));
        }
        int priority = spec.has("priority") ? spec.get("priority").asInt() : RouteOrder.UNSET_PRIORITY;
        return new Route(name, priority, protocol, http, grpc, targets, retry(route.path("retryPolicy")),
                ListenerCompiler.timeouts(route.path("timeout")));
    }

    /**
     * The target node's port: the one the route names, else its only listener, else the
     * listener on the router's port, else its first listener.
     */
    static int targetPort(JsonNode nodeSpec, Integer explicit, int routerPort, String routeName, List<String> problems) {
        if (explicit != null) {
            return explicit;
        }
        JsonNode listeners = nodeSpec.path("listeners");
        if (listeners.isEmpty()) {
            problems.add(routeName + " targets a virtual node without listeners; using port " + routerPort);
            return routerPort;
        }
        for (JsonNode l : listeners) {
            if (listeners.size() == 1 || l.path("portMapping").path("port").asInt() == routerPort) {
                return l.path("portMapping").path("port").asInt();
            }
        }
        return listeners.get(0).path("portMapping").path("port").asInt();
    }

    private static RetryPolicy retry(JsonNode policy) {
        if (!policy.isObject()) {
            return null;
        }
        return new RetryPolicy(policy.path("maxRetries").asInt(), Durations.millis(policy.get("perRetryTimeout")),
                strings(policy.path("httpRetryEvents")), strings(policy.path("tcpRetryEvents")),
                strings(policy.path("grpcRetryEvents")));
    }

    private static List<String> strings(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
