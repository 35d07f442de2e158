package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.Route;
import io.meshwork.proxyapi.ServicePort;
import io.meshwork.proxyapi.VirtualService;
import io.meshwork.proxyapi.WeightedTarget;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a virtual service through its provider: a node gives one implicit match-all route
 * per node listener; a router gives, per router listener, its routes of that protocol (and
 * port) in order. Results are cached for the compilation of one mesh, since many nodes share
 * the same backends.
 */
final class ServiceResolver {
    /** A resolved service, the clusters its routes lead to, and what could not be resolved. */
    record Resolved(VirtualService service, Set<String> clusters, List<String> problems) {
    }

    private final MeshResources mesh;
    private final Map<String, Resolved> cache = new HashMap<>();

    ServiceResolver(MeshResources mesh) {
        this.mesh = mesh;
    }

    /** The resolved service, or null if no virtual service has that name. */
    Resolved resolve(String name) {
        if (!mesh.services().containsKey(name)) {
            return null;
        }
        return cache.computeIfAbsent(name, this::resolveUncached);
    }

    private Resolved resolveUncached(String name) {
        JsonNode provider = mesh.services().get(name).path("provider");
        List<String> problems = new ArrayList<>();
        List<ServicePort> ports = new ArrayList<>();
        if (provider.has("virtualNode")) {
            String node = provider.path("virtualNode").path("virtualNodeName").asText();
            JsonNode nodeSpec = mesh.nodes().get(node);
            if (nodeSpec == null) {
                problems.add("virtual service " + name + " is provided by virtual node " + node + ", which does not exist");
            } else {
                for (JsonNode l : nodeSpec.path("listeners")) {
                    int port = l.path("portMapping").path("port").asInt();
                    Protocol protocol = Protocol.of(l.path("portMapping").path("protocol").asText());
                    ports.add(new ServicePort(port, protocol, List.of(new Route("implicit", RouteOrder.UNSET_PRIORITY,
                            protocol, null, null, List.of(new WeightedTarget(node, port, 1)), null, null))));
                }
            }
        } else if (provider.has("virtualRouter")) {
            String router = provider.path("virtualRouter").path("virtualRouterName").asText();
            JsonNode routerSpec = mesh.routers().get(router);
            if (routerSpec == null) {
                problems.add("virtual service " + name + " is provided by virtual router " + router + ", which does not exist");
            } else {
                ports.addAll(routerPorts(router, routerSpec, problems));
            }
        }
        Set<String> clusters = new LinkedHashSet<>();
        ports.forEach(p -> p.routes().forEach(r -> r.targets().forEach(t -> clusters.add(t.cluster()))));
        return new Resolved(new VirtualService(name, ports), clusters, problems);
    }

    private List<ServicePort> routerPorts(String router, JsonNode routerSpec, List<String> problems) {
        Map<String, JsonNode> routes = mesh.routesByRouter().getOrDefault(router, Map.of());
        List<ServicePort> ports = new ArrayList<>();
        Set<String> used = new java.util.HashSet<>();
        for (JsonNode l : routerSpec.path("listeners")) {
            int port = l.path("portMapping").path("port").asInt();
            Protocol protocol = Protocol.of(l.path("portMapping").path("protocol").asText());
            List<Route> compiled = new ArrayList<>();
            routes.forEach((routeName, spec) -> {
                JsonNode block = RouteCompiler.block(spec, RouteCompiler.protocol(spec));
                JsonNode matchPort = block.path("match").path("port");
                if (protocol == RouteCompiler.protocol(spec) && (matchPort.isMissingNode() || matchPort.asInt() == port)) {
                    compiled.add(RouteCompiler.compile(router + "/" + routeName, spec, port, mesh.nodes(), problems));
                    used.add(routeName);
                }
            });
            compiled.sort(RouteOrder.by(Route::priority, Route::http, Route::grpc, Route::name));
            ports.add(new ServicePort(port, protocol, compiled));
        }
        routes.keySet().stream().filter(r -> !used.contains(r)).sorted(Comparator.naturalOrder()).forEach(r ->
                problems.add("route " + router + "/" + r + " matches no listener of its router (protocol or port)"));
        return ports;
    }
}
