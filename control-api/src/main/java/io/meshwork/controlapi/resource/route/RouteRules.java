package io.meshwork.controlapi.resource.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.config.Quotas;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.SpecRules;
import io.meshwork.controlapi.resource.Violations;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Routes: one protocol block; a path-like match for HTTP; weighted targets that exist and
 * whose weights make sense; retry policies with known events; ports that the router listens on.
 */
public final class RouteRules implements SpecRules {
    static final Set<String> HTTP_RETRY_EVENTS = Set.of("server-error", "gateway-error", "client-error", "stream-error");
    private static final String[] PROTOCOLS = {"httpRoute", "http2Route", "grpcRoute", "tcpRoute"};

    @Override
    public void check(JsonNode spec, JsonNode routerSpec, Quotas quotas, Violations violations) {
        violations.exactlyOne(spec, "spec", PROTOCOLS);
        for (String protocol : PROTOCOLS) {
            JsonNode route = spec.path(protocol);
            if (!route.isObject()) {
                continue;
            }
            String path = "spec." + protocol;
            switch (protocol) {
                case "httpRoute", "http2Route" -> checkHttpMatch(route.path("match"), path + ".match", violations);
                case "grpcRoute" -> checkGrpcMatch(route.path("match"), path + ".match", violations);
                default -> {
                }
            }
            checkWeightedTargets(route.path("action").path("weightedTargets"), path + ".action.weightedTargets", violations);
            checkRetryPolicy(route.path("retryPolicy"), path + ".retryPolicy", violations);
            violations.matchPort(route.path("match").path("port"), path + ".match.port", routerSpec, "virtual router");
        }
    }

    @Override
    public List<ResourceKey> references(String mesh, JsonNode spec) {
        List<ResourceKey> targets = new ArrayList<>();
        for (String protocol : PROTOCOLS) {
            spec.path(protocol).path("action").path("weightedTargets").forEach(t ->
                    targets.add(ResourceKey.inMesh(ResourceKind.VIRTUAL_NODE, mesh, t.path("virtualNode").asText())));
        }
        return targets;
    }

    private static void checkHttpMatch(JsonNode match, String path, Violations violations) {
        violations.exactlyOne(match, path, "prefix", "path");
        violations.startsWithSlash(match.path("prefix"), path + ".prefix");
        violations.pathMatch(match.path("path"), path + ".path");
        violations.matchers(match.path("headers"), path + ".headers");
    }

    private static void checkGrpcMatch(JsonNode match, String path, Violations violations) {
        if (match.has("methodName") && !match.has("serviceName")) {
            violations.add("'" + path + ".methodName' requires '" + path + ".serviceName'");
        }
        violations.matchers(match.path("metadata"), path + ".metadata");
    }

    private static void checkWeightedTargets(JsonNode targets, String path, Violations violations) {
        long total = 0;
        for (JsonNode target : targets) {
            total += target.path("weight").asLong(0);
        }
        if (targets.size() > 0 && total == 0) {
            violations.add("'" + path + "' has only zero weights: at least one target must have a weight above 0");
        }
        if (total > 100) {
            violations.add("'" + path + "' weights add up to " + total + ", more than 100");
        }
    }

    private static void checkRetryPolicy(JsonNode policy, String path, Violations violations) {
        if (!policy.isObject()) {
            return;
        }
        if (!policy.has("httpRetryEvents") && !policy.has("tcpRetryEvents") && !policy.has("grpcRetryEvents")) {
            violations.add("'" + path + "' must name at least one retry event (httpRetryEvents, tcpRetryEvents"
                    + " or grpcRetryEvents)");
        }
        JsonNode events = policy.path("httpRetryEvents");
        for (int i = 0; i < events.size(); i++) {
            String event = events.get(i).asText();
            if (!HTTP_RETRY_EVENTS.contains(event)) {
                violations.add("value '" + event + "' at '" + path + ".httpRetryEvents[" + i + "]' must be one of "
                        + List.of("server-error", "gateway-error", "client-error", "stream-error"));
            }
        }
    }
}
