package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.proxyapi.AccessLog;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Discovery;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.Tls;
import io.meshwork.proxyapi.GatewayRoute;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.VirtualService;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration compiler: a pure function from a mesh's resources (and known endpoints)
 * to one versioned snapshot per virtual node and virtual gateway. No database, no network.
 */
public final class MeshCompiler {
    private final MeshResources mesh;
    private final ServiceResolver services;
    private final Map<String, Cluster> clusters = new HashMap<>();

    private MeshCompiler(MeshResources mesh) {
        this.mesh = mesh;
        this.services = new ServiceResolver(mesh);
    }

    public static Map<ResourceKey, ProxySnapshot> compile(MeshResources mesh) {
        MeshCompiler compiler = new MeshCompiler(mesh);
        Map<ResourceKey, ProxySnapshot> out = new LinkedHashMap<>();
        mesh.nodes().forEach((name, spec) ->
                out.put(ResourceKey.inMesh(ResourceKind.VIRTUAL_NODE, mesh.mesh(), name), compiler.node(name, spec)));
        mesh.gateways().forEach((name, spec) ->
                out.put(ResourceKey.inMesh(ResourceKind.VIRTUAL_GATEWAY, mesh.mesh(), name), compiler.gateway(name, spec)));
        return out;
    }

    private ProxySnapshot node(String name, JsonNode spec) {
        List<String> problems = new ArrayList<>();
        List<String> backends = new ArrayList<>();
        spec.path("backends").forEach(b -> backends.add(b.path("virtualService").path("virtualServiceName").asText()));
        Reachable reachable = reachable(backends, "backend", problems);
        // A backend's own client policy wins over the node's backend defaults; a node reached through
        // several backends takes the first one's.
        Map<String, Tls.Client> clientTls = new java.util.TreeMap<>();
        Tls.Client defaults = TlsCompiler.client(spec.path("backendDefaults").path("clientPolicy"));
        for (JsonNode b : spec.path("backends")) {
            JsonNode vs = b.path("virtualService");
            Tls.Client own = TlsCompiler.client(vs.path("clientPolicy"));
            Tls.Client policy = own != null ? own : defaults;
            ServiceResolver.Resolved resolved = services.resolve(vs.path("virtualServiceName").asText());
            if (policy != null && resolved != null) {
                resolved.clusters().forEach(c -> clientTls.putIfAbsent(c, policy));
            }
        }
        List<io.meshwork.proxyapi.Listener> listeners = ListenerCompiler.listeners(spec);
        return SnapshotJson.versioned(new ProxySnapshot(null, mesh.revision(), mesh.mesh(), ProxySnapshot.VIRTUAL_NODE,
                name, egressFilter(), listeners, reachable.services, null, reachable.clusters,
                accessLog(spec), problems.isEmpty() ? null : problems, clientTls.isEmpty() ? null : clientTls,
                trustBundleIfUsed(listeners, reachable.clusters, clientTls)));
    }

    private ProxySnapshot gateway(String name, JsonNode spec) {
        List<String> problems = new ArrayList<>();
        List<GatewayRoute> routes = new ArrayList<>();
        mesh.gatewayRoutesByGateway().getOrDefault(name, Map.of()).forEach((routeName, routeSpec) ->
                routes.add(GatewayRouteCompiler.compile(routeName, routeSpec)));
        routes.sort(RouteOrder.by(GatewayRoute::priority, GatewayRoute::http, GatewayRoute::grpc, GatewayRoute::name));
        List<String> targets = routes.stream().map(GatewayRoute::targetService).distinct().toList();
        Reachable reachable = reachable(targets, "gateway route target", problems);
        Map<String, Tls.Client> clientTls = new java.util.TreeMap<>();
        Tls.Client defaults = TlsCompiler.client(spec.path("backendDefaults").path("clientPolicy"));
        if (defaults != null) {
            reachable.clusters.forEach(c -> clientTls.put(c.name(), defaults));
        }
        List<io.meshwork.proxyapi.Listener> listeners = ListenerCompiler.listeners(spec);
        return SnapshotJson.versioned(new ProxySnapshot(null, mesh.revision(), mesh.mesh(), ProxySnapshot.VIRTUAL_GATEWAY,
                name, egressFilter(), listeners, reachable.services, routes, reachable.clusters,
                accessLog(spec), problems.isEmpty() ? null : problems, clientTls.isEmpty() ? null : clientTls,
                trustBundleIfUsed(listeners, reachable.clusters, clientTls)));
    }

    private record Reachable(List<VirtualService> services, List<Cluster> clusters) {
    }

    private Reachable reachable(List<String> serviceNames, String what, List<String> problems) {
        List<VirtualService> out = new ArrayList<>();
        Set<String> clusterNames = new LinkedHashSet<>();
        for (String serviceName : serviceNames) {
            ServiceResolver.Resolved resolved = services.resolve(serviceName);
            if (resolved == null) {
                problems.add(what + " " + serviceName + " names a virtual service that does not exist");
                continue;
            }
            out.add(resolved.service());
            clusterNames.addAll(resolved.clusters());
            problems.addAll(resolved.problems());
        }
        out.sort(Comparator.comparing(VirtualService::name));
        List<Cluster> clusterList = clusterNames.stream().sorted().map(this::cluster).toList();
        return new Reachable(out, clusterList);
    }

    private Cluster cluster(String node) {
        return clusters.computeIfAbsent(node, n -> {
            JsonNode spec = mesh.nodes().get(n);
            List<Endpoint> endpoints = new ArrayList<>(mesh.endpointsByNode().getOrDefault(n, List.of()));
            endpoints.sort(Comparator.comparing(Endpoint::address).thenComparing(e -> e.port() == null ? 0 : e.port()));
            return new Cluster(n, ListenerCompiler.listeners(spec), discovery(spec), endpoints);
        });
    }

    private Discovery discovery(JsonNode nodeSpec) {
        JsonNode sd = nodeSpec.path("serviceDiscovery");
        String meshPreference = mesh.meshSpec().path("serviceDiscovery").path("ipPreference").asText(null);
        if (sd.has("dns")) {
            JsonNode dns = sd.get("dns");
            return new Discovery(Discovery.DNS, dns.path("hostname").asText(), dns.path("responseType").asText("LOADBALANCER"),
                    dns.path("ipPreference").asText(meshPreference));
        }
        if (sd.has("awsCloudMap")) {
            return new Discovery(Discovery.CLOUD_MAP, null, null, sd.get("awsCloudMap").path("ipPreference").asText(meshPreference));
        }
        return new Discovery(Discovery.NONE, null, null, null);
    }

    /** The trust bundle goes to proxies that serve or call TLS; the others do not need it. */
    private String trustBundleIfUsed(List<io.meshwork.proxyapi.Listener> listeners, List<Cluster> clusters, Map<String, Tls.Client> clientTls) {
        boolean used = !clientTls.isEmpty() || listeners.stream().anyMatch(l -> l.tls() != null)
                || clusters.stream().anyMatch(c -> c.listeners().stream().anyMatch(l -> l.tls() != null));
        return used ? mesh.trustBundle() : null;
    }

    private String egressFilter() {
        return mesh.meshSpec().path("egressFilter").path("type").asText("DROP_ALL");
    }

    private static AccessLog accessLog(JsonNode spec) {
        JsonNode file = spec.path("logging").path("accessLog").path("file");
        if (!file.isObject()) {
            return null;
        }
        JsonNode format = file.path("format");
        List<AccessLog.JsonField> json = null;
        if (format.has("json")) {
            json = new ArrayList<>();
            for (JsonNode kv : format.get("json")) {
                json.add(new AccessLog.JsonField(kv.path("key").asText(), kv.path("value").asText()));
            }
        }
        return new AccessLog(file.path("path").asText(), format.has("text") ? format.get("text").asText() : null, json);
    }
}
