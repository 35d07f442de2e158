package io.meshwork.controlapi.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.distribution.SnapshotCache;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.meshwork.controlapi.store.CaStore;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ProxyStore;
import io.meshwork.controlapi.store.ResourceStore;
import io.meshwork.controlapi.store.StoredResource;
import io.meshwork.controlapi.store.TrafficStore;
import io.meshwork.proxyapi.TrafficReport;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code GET /meshwork/v1/meshes/{mesh}/overview}: one mesh as an operator wants to see it. Its
 * topology (virtual services, routers with their routes and weighted targets, nodes, gateways
 * and gateway routes) from the store; live traffic from each proxy's last two traffic reports
 * (rates over the time between them, merged over proxies: per edge, per node, per route); and
 * every proxy's configuration status and certificate. Read in one transaction, so from any
 * replica the view is the same.
 */
@Singleton
public final class MeshOverview {
    private static final Logger LOG = LoggerFactory.getLogger(MeshOverview.class);

    private final Database database;
    private final ResourceStore resources;
    private final ProxyStore proxies;
    private final TrafficStore traffic;
    private final CaStore certificates;
    private final SnapshotCache snapshots;
    private final ResourceArn arns;
    private final Clock clock;
    private final long staleAfterMillis;

    MeshOverview(Database database, ResourceStore resources, ProxyStore proxies, TrafficStore traffic, CaStore certificates,
                 SnapshotCache snapshots, ControlApiSettings settings, Clock clock) {
        this.database = database;
        this.resources = resources;
        this.proxies = proxies;
        this.traffic = traffic;
        this.certificates = certificates;
        this.snapshots = snapshots;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
        this.clock = clock;
        this.staleAfterMillis = settings.proxyRegistrationTtl().toMillis();
    }

    private record Read(List<StoredResource> resources, List<ProxyStore.Row> proxies, List<TrafficStore.Row> traffic,
                        Map<String, CaStore.IssuedRow> certificates) {
    }

    /** Where traffic came from (a proxy's node or gateway) and which edge it took. */
    private record Source(String kind, String name) {
    }

    private record EdgeOf(Source source, TrafficReports.EdgeKey key) {
    }

    public ObjectNode overview(String mesh) {
        Read read = database.inTransaction(tx -> new Read(resources.allInMesh(tx, mesh), proxies.all(tx, mesh),
                traffic.ofMesh(tx, mesh), certificates.latestForConnected(tx, mesh)));
        if (read.resources().stream().noneMatch(r -> r.key().kind() == ResourceKind.MESH)) {
            throw AppMeshException.notFound("Mesh " + mesh + " does not exist");
        }
        long now = clock.millis();
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("meshName", mesh);
        out.put("generatedAt", seconds(now));
        Topology.write(read.resources(), out);
        writeTraffic(read, now, out);
        ArrayNode list = out.putArray("proxies");
        for (ProxyStore.Row row : read.proxies()) {
            list.add(proxy(row, read.certificates().get(row.proxyId()), now));
        }
        return out;
    }

    /** One proxy's configuration status, as {@code meshwork proxies} and {@code check} show it. */
    public ObjectNode proxy(ProxyStore.Row row, CaStore.IssuedRow certificate, long now) {
        ResourceKey key = new ResourceKey(ResourceKind.fromArnSegment(row.resourceKind()), row.mesh(), "", row.resourceName());
        Optional<SnapshotCache.Compiled> current = snapshots.current(key);
        ObjectNode p = StrictJson.mapper().createObjectNode();
        p.put("proxyId", row.proxyId());
        p.put("meshName", row.mesh());
        p.put("resourceKind", row.resourceKind());
        p.put("resourceName", row.resourceName());
        p.put("resourceArn", arns.format(key));
        putIfSet(p, "address", row.address());
        putIfSet(p, "runningVersion", row.runningVersion());
        current.ifPresent(c -> p.put("currentVersion", c.version()));
        boolean upToDate = current.isPresent() && current.get().version().equals(row.runningVersion());
        p.put("upToDate", upToDate);
        // How long it has not run the current version: since this replica compiled that version (or the proxy connected, if later).
        long behindSince = current.map(c -> Math.max(c.compiledAtMillis(), row.connectedAt())).orElse(row.connectedAt());
        p.put("lagSeconds", upToDate ? BigDecimal.ZERO : seconds(Math.max(0, now - behindSince)));
        putIfSet(p, "rejectedVersion", row.rejectedVersion());
        putIfSet(p, "rejectedReason", row.rejectedReason());
        p.put("connectedAt", seconds(row.connectedAt()));
        p.put("lastSeenAt", seconds(row.lastSeen()));
        p.put("lastSeenSecondsAgo", seconds(Math.max(0, now - row.lastSeen())));
        if (certificate != null) {
            p.putObject("certificate").put("serial", certificate.serial()).put("issuedAt", seconds(certificate.issuedAt()))
                    .put("notAfter", seconds(certificate.notAfter()))
                    .put("expiresInSeconds", seconds(certificate.notAfter() - now));
        }
        return p;
    }

    private void writeTraffic(Read read, long now, ObjectNode out) {
        Map<String, ProxyStore.Row> byId = new HashMap<>();
        read.proxies().forEach(r -> byId.put(r.proxyId(), r));
        Map<EdgeOf, GoldenSignals> edges = new TreeMap<>(java.util.Comparator.comparing(MeshOverview::sortKey));
        double window = 0;
        int reporting = 0;
        for (TrafficStore.Row row : read.traffic()) {
            ProxyStore.Row proxy = byId.get(row.proxyId());
            if (proxy == null || now - row.latestAt() > staleAfterMillis) {
                continue;
            }
            TrafficReport latest = parse(row.latestJson());
            TrafficReport previous = row.previousJson() == null ? null : parse(row.previousJson());
            if (latest == null) {
                continue;
            }
            reporting++;
            Source source = new Source(proxy.resourceKind(), proxy.resourceName());
            for (TrafficReports.EdgeDelta d : TrafficReports.deltas(previous, row.previousAt(), latest, row.latestAt())) {
                edges.computeIfAbsent(new EdgeOf(source, d.key()), k -> new GoldenSignals()).add(d.delta(), d.seconds());
                window = Math.max(window, d.seconds());
            }
        }
        ObjectNode t = out.putObject("traffic");
        t.put("proxiesReporting", reporting);
        t.put("windowSeconds", GoldenSignals.round(window, 3));

        Map<String, ObjectNode> nodes = new TreeMap<>();
        Map<String, GoldenSignals> inbound = new TreeMap<>();
        Map<String, GoldenSignals> outbound = new TreeMap<>();
        Map<String, GoldenSignals> fromCallers = new TreeMap<>();
        Map<String, GoldenSignals> routes = new TreeMap<>();
        ArrayNode edgeList = t.putArray("edges");
        for (Map.Entry<EdgeOf, GoldenSignals> e : edges.entrySet()) {
            Source s = e.getKey().source();
            TrafficReports.EdgeKey k = e.getKey().key();
            String self = s.kind() + "/" + s.name();
            if ("inbound".equals(k.direction())) {
                inbound.computeIfAbsent(self, x -> new GoldenSignals()).add(e.getValue());
                continue;
            }
            outbound.computeIfAbsent(self, x -> new GoldenSignals()).add(e.getValue());
            if (k.target() != null) {
                fromCallers.computeIfAbsent("virtualNode/" + k.target(), x -> new GoldenSignals()).add(e.getValue());
            }
            if (k.route() != null) {
                routes.computeIfAbsent(k.route(), x -> new GoldenSignals()).add(e.getValue());
            }
            ObjectNode edge = edgeList.addObject();
            edge.putObject("from").put("kind", s.kind()).put("name", s.name());
            edge.put("virtualService", k.destination());
            putIfSet(edge, "route", k.route());
            if (k.target() != null) {
                edge.putObject("to").put("kind", "virtualNode").put("name", k.target());
            }
            putIfSet(edge, "protocol", k.protocol());
            e.getValue().writeTo(edge);
        }
        for (Map<String, GoldenSignals> m : List.of(inbound, outbound, fromCallers)) {
            m.keySet().forEach(id -> nodes.computeIfAbsent(id, x -> {
                int slash = id.indexOf('/');
                return StrictJson.mapper().createObjectNode().put("kind", id.substring(0, slash)).put("name", id.substring(slash + 1));
            }));
        }
        ArrayNode nodeList = t.putArray("nodes");
        nodes.forEach((id, node) -> {
            if (inbound.containsKey(id)) {
                inbound.get(id).writeTo(node.putObject("inbound"));
            }
            if (outbound.containsKey(id)) {
                outbound.get(id).writeTo(node.putObject("outbound"));
            }
            if (fromCallers.containsKey(id)) {
                fromCallers.get(id).writeTo(node.putObject("fromCallers"));
            }
            nodeList.add(node);
        });
        ArrayNode routeList = t.putArray("routes");
        routes.forEach((route, signals) -> {
            ObjectNode r = routeList.addObject();
            int slash = route.indexOf('/');
            r.put("virtualRouter", slash < 0 ? "" : route.substring(0, slash));
            r.put("routeName", slash < 0 ? route : route.substring(slash + 1));
            signals.writeTo(r);
        });
    }

    private static String sortKey(EdgeOf e) {
        TrafficReports.EdgeKey k = e.key();
        return String.join("\u0000", e.source().kind(), e.source().name(), k.direction(), k.destination(),
                String.valueOf(k.route()), String.valueOf(k.target()), String.valueOf(k.protocol()));
    }

    private static TrafficReport parse(String json) {
        try {
            return StrictJson.mapper().readValue(json, TrafficReport.class);
        } catch (Exception e) {
            LOG.warn("unreadable stored traffic report: {}", e.toString());
            return null;
        }
    }

    static BigDecimal seconds(long millis) {
        return BigDecimal.valueOf(millis, 3);
    }

    private static void putIfSet(ObjectNode node, String member, String value) {
        if (value != null) {
            node.put(member, value);
        }
    }

    /** The mesh's resources as a graph's vertices and their links. */
    static final class Topology {
        private Topology() {
        }

        static void write(List<StoredResource> all, ObjectNode out) {
            ArrayNode services = out.putArray("virtualServices");
            ArrayNode routers = out.putArray("virtualRouters");
            ArrayNode nodes = out.putArray("virtualNodes");
            ArrayNode gateways = out.putArray("virtualGateways");
            ArrayNode gatewayRoutes = out.putArray("gatewayRoutes");
            Map<String, ObjectNode> routerByName = new TreeMap<>();
            Map<String, List<StoredResource>> routesOf = new TreeMap<>();
            List<StoredResource> sorted = new ArrayList<>(all);
            sorted.sort(java.util.Comparator.comparing((StoredResource r) -> r.key().parent()).thenComparing(r -> r.key().name()));
            for (StoredResource r : sorted) {
                JsonNode spec = r.spec();
                switch (r.key().kind()) {
                    case VIRTUAL_SERVICE -> {
                        ObjectNode s = services.addObject().put("name", r.key().name());
                        JsonNode provider = spec.path("provider");
                        if (provider.has("virtualNode")) {
                            s.putObject("provider").put("virtualNode", provider.path("virtualNode").path("virtualNodeName").asText());
                        } else if (provider.has("virtualRouter")) {
                            s.putObject("provider").put("virtualRouter", provider.path("virtualRouter").path("virtualRouterName").asText());
                        }
                    }
                    case VIRTUAL_ROUTER -> {
                        ObjectNode o = routers.addObject().put("name", r.key().name());
                        o.set("listeners", listeners(spec));
                        o.putArray("routes");
                        routerByName.put(r.key().name(), o);
                    }
                    case ROUTE -> routesOf.computeIfAbsent(r.key().parent(), k -> new ArrayList<>()).add(r);
                    case VIRTUAL_NODE -> {
                        ObjectNode o = nodes.addObject().put("name", r.key().name());
                        o.set("listeners", listeners(spec));
                        ArrayNode backends = o.putArray("backends");
                        for (JsonNode b : spec.path("backends")) {
                            String name = b.path("virtualService").path("virtualServiceName").asText("");
                            if (!name.isEmpty()) {
                                backends.add(name);
                            }
                        }
                        JsonNode sd = spec.path("serviceDiscovery");
                        if (sd.has("dns")) {
                            o.put("serviceDiscovery", "dns " + sd.path("dns").path("hostname").asText());
                        } else if (sd.has("awsCloudMap")) {
                            o.put("serviceDiscovery", "awsCloudMap " + sd.path("awsCloudMap").path("namespaceName").asText() + "/"
                                    + sd.path("awsCloudMap").path("serviceName").asText());
                        }
                    }
                    case VIRTUAL_GATEWAY -> {
                        ObjectNode o = gateways.addObject().put("name", r.key().name());
                        o.set("listeners", listeners(spec));
                    }
                    case GATEWAY_ROUTE -> {
                        ObjectNode o = gatewayRoutes.addObject().put("virtualGateway", r.key().parent()).put("name", r.key().name());
                        for (String type : List.of("httpRoute", "http2Route", "grpcRoute")) {
                            JsonNode route = spec.path(type);
                            if (!route.isMissingNode()) {
                                o.put("type", type);
                                o.put("match", match(type, route.path("match")));
                                o.put("virtualService", route.path("action").path("target").path("virtualService")
                                        .path("virtualServiceName").asText());
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            routesOf.forEach((router, list) -> {
                ObjectNode o = routerByName.get(router);
                if (o == null) {
                    return;
                }
                ArrayNode routes = (ArrayNode) o.get("routes");
                for (StoredResource r : list) {
                    JsonNode spec = r.spec();
                    ObjectNode route = routes.addObject().put("name", r.key().name());
                    if (spec.has("priority")) {
                        route.put("priority", spec.path("priority").asInt());
                    }
                    for (String type : List.of("httpRoute", "http2Route", "grpcRoute", "tcpRoute")) {
                        JsonNode rt = spec.path(type);
                        if (rt.isMissingNode()) {
                            continue;
                        }
                        route.put("type", type);
                        route.put("match", match(type, rt.path("match")));
                        ArrayNode targets = route.putArray("weightedTargets");
                        for (JsonNode w : rt.path("action").path("weightedTargets")) {
                            targets.addObject().put("virtualNode", w.path("virtualNode").asText()).put("weight", w.path("weight").asInt());
                        }
                    }
                }
            });
        }

        private static ArrayNode listeners(JsonNode spec) {
            ArrayNode out = StrictJson.mapper().createArrayNode();
            for (JsonNode l : spec.path("listeners")) {
                JsonNode pm = l.path("portMapping");
                out.addObject().put("port", pm.path("port").asInt()).put("protocol", pm.path("protocol").asText());
            }
            return out;
        }

        /** A route's match in a few words: the path prefix, exact path, gRPC method or "*". */
        private static String match(String type, JsonNode match) {
            if ("tcpRoute".equals(type) || match.isMissingNode()) {
                return "*";
            }
            if ("grpcRoute".equals(type)) {
                return match.path("serviceName").asText("*") + "/" + match.path("methodName").asText("*");
            }
            if (match.has("prefix")) {
                return match.path("prefix").asText();
            }
            JsonNode path = match.path("path");
            if (path.has("exact")) {
                return "=" + path.path("exact").asText();
            }
            if (path.has("regex")) {
                return "~" + path.path("regex").asText();
            }
            return match.has("hostname") ? "host " + match.path("hostname").toString() : "*";
        }
    }
}
