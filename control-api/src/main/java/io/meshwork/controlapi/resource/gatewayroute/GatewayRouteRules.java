package io.meshwork.controlapi.resource.gatewayroute;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.config.Quotas;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.SpecRules;
import io.meshwork.controlapi.resource.StoredSpecs;
import io.meshwork.controlapi.resource.Violations;
import io.meshwork.controlapi.resource.virtualservice.VirtualServiceRules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gateway routes: one protocol block, a match App Mesh could route on, rewrites that fit the
 * match, prefixes and service names App Mesh reserved for itself, and a target service that
 * exists, with a port when its provider listens on several.
 */
public final class GatewayRouteRules implements SpecRules {
    private static final String[] PROTOCOLS = {"httpRoute", "http2Route", "grpcRoute"};

    @Override
    public void check(JsonNode spec, JsonNode gatewaySpec, Quotas quotas, Violations violations) {
        violations.exactlyOne(spec, "spec", PROTOCOLS);
        for (String protocol : PROTOCOLS) {
            JsonNode route = spec.path(protocol);
            if (!route.isObject()) {
                continue;
            }
            String path = "spec." + protocol;
            JsonNode match = route.path("match");
            if (protocol.equals("grpcRoute")) {
                checkGrpcMatch(match, path + ".match", violations);
            } else {
                checkHttpMatch(match, path + ".match", violations);
                checkHttpRewrite(match, route.path("action").path("rewrite"), path, violations);
            }
            JsonNode hostname = match.path("hostname");
            if (hostname.isObject()) {
                violations.exactlyOne(hostname, path + ".match.hostname", "exact", "suffix");
            }
            violations.matchPort(match.path("port"), path + ".match.port", gatewaySpec, "virtual gateway");
        }
    }

    @Override
    public List<ResourceKey> references(String mesh, JsonNode spec) {
        List<ResourceKey> targets = new ArrayList<>();
        for (String protocol : PROTOCOLS) {
            JsonNode service = spec.path(protocol).path("action").path("target").path("virtualService");
            if (service.has("virtualServiceName")) {
                targets.add(ResourceKey.inMesh(ResourceKind.VIRTUAL_SERVICE, mesh, service.path("virtualServiceName").asText()));
            }
        }
        return targets;
    }

    /**
     * A target whose provider listens on several ports needs {@code target.port}: nothing else says
     * which listener the gateway sends to. A provider that does not exist (yet) has no say.
     */
    @Override
    public void checkAgainstMesh(String mesh, JsonNode spec, StoredSpecs stored, Violations violations) {
        for (String protocol : PROTOCOLS) {
            JsonNode target = spec.path(protocol).path("action").path("target");
            if (!target.isObject() || target.has("port")) {
                continue;
            }
            String service = target.path("virtualService").path("virtualServiceName").asText();
            stored.find(ResourceKey.inMesh(ResourceKind.VIRTUAL_SERVICE, mesh, service))
                    .flatMap(serviceSpec -> VirtualServiceRules.provider(mesh, serviceSpec))
                    .ifPresent(provider -> stored.find(provider).ifPresent(providerSpec -> {
                        Set<Long> ports = new TreeSet<>(Violations.listenerPorts(providerSpec));
                        if (ports.size() > 1) {
                            violations.add("'spec." + protocol + ".action.target.port' is required: virtual service " + service
                                    + " is provided by " + provider.describe() + ", which listens on several ports " + ports);
                        }
                    }));
        }
    }

    private static void checkHttpMatch(JsonNode match, String path, Violations violations) {
        violations.atMostOne(match, path, "prefix", "path");
        if (!match.has("prefix") && !match.has("path") && !match.has("hostname")) {
            violations.add("'" + path + "' must set one of [prefix, path, hostname]");
        }
        JsonNode prefix = match.path("prefix");
        violations.startsWithSlash(prefix, path + ".prefix");
        String lower = prefix.asText("").toLowerCase(Locale.ROOT);
        if (lower.startsWith("/aws-appmesh") || lower.startsWith("/aws-app-mesh")) {
            violations.add("value '" + prefix.asText() + "' at '" + path + ".prefix' uses a prefix App Mesh reserves"
                    + " (/aws-appmesh*, /aws-app-mesh*)");
        }
        violations.pathMatch(match.path("path"), path + ".path");
        violations.matchers(match.path("headers"), path + ".headers");
    }

    private static void checkHttpRewrite(JsonNode match, JsonNode rewrite, String path, Violations violations) {
        JsonNode prefix = rewrite.path("prefix");
        if (prefix.isObject()) {
            violations.exactlyOne(prefix, path + ".action.rewrite.prefix", "defaultPrefix", "value");
            if (!match.has("prefix")) {
                violations.add("'" + path + ".action.rewrite.prefix' needs a prefix match");
            }
            String value = prefix.path("value").asText(null);
            if (value != null) {
                if (!value.startsWith("/") || !value.endsWith("/")) {
                    violations.add("value '" + value + "' at '" + path + ".action.rewrite.prefix.value' must start and end with '/'");
                }
                if (!match.path("prefix").asText("/").endsWith("/")) {
                    violations.add("'" + path + ".match.prefix' must end with '/' when the prefix is rewritten to a value");
                }
            }
        }
        JsonNode rewritePath = rewrite.path("path");
        if (rewritePath.isObject()) {
            if (!match.path("path").has("exact")) {
                violations.add("'" + path + ".action.rewrite.path' needs an exact path match");
            }
            violations.startsWithSlash(rewritePath.path("exact"), path + ".action.rewrite.path.exact");
        }
    }

    private static void checkGrpcMatch(JsonNode match, String path, Violations violations) {
        String service = match.path("serviceName").asText("").toLowerCase(Locale.ROOT);
        if (service.startsWith("aws.app-mesh") || service.startsWith("aws.appmesh")) {
            violations.add("value '" + match.path("serviceName").asText() + "' at '" + path
                    + ".serviceName' is a gRPC service name App Mesh reserves");
        }
        violations.matchers(match.path("metadata"), path + ".metadata");
    }
}
