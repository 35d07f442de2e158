package io.meshwork.controlapi.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.compiler.MeshResources;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ResourceStore;
import io.meshwork.controlapi.store.StoredResource;
import io.meshwork.proxyapi.Endpoint;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reads one mesh's resources and endpoints in one transaction, as the compiler's input. */
@Singleton
final class MeshLoader {
    private final Database database;
    private final ResourceStore resources;
    private final ChangeLog changeLog;
    private final List<EndpointSource> endpointSources;
    private final io.meshwork.controlapi.ca.MeshCertificateAuthority ca;

    MeshLoader(Database database, ResourceStore resources, ChangeLog changeLog, List<EndpointSource> endpointSources,
               io.meshwork.controlapi.ca.MeshCertificateAuthority ca) {
        this.ca = ca;
        this.database = database;
        this.resources = resources;
        this.changeLog = changeLog;
        this.endpointSources = endpointSources;
    }

    /** The mesh, or empty if it does not exist. */
    Optional<MeshResources> load(String mesh) {
        // The CA is read outside the store transaction below: it may create the root in its own.
        return read(mesh).map(m -> usesTls(m) ? m.withTrustBundle(ca.trustBundle(mesh)) : m);
    }

    private Optional<MeshResources> read(String mesh) {
        return database.inTransaction(tx -> {
            long revision = changeLog.revision(tx, mesh);
            List<StoredResource> all = resources.allInMesh(tx, mesh);
            JsonNode meshSpec = null;
            Map<String, JsonNode> nodes = new TreeMap<>();
            Map<String, JsonNode> services = new TreeMap<>();
            Map<String, JsonNode> routers = new TreeMap<>();
            Map<String, Map<String, JsonNode>> routes = new TreeMap<>();
            Map<String, JsonNode> gateways = new TreeMap<>();
            Map<String, Map<String, JsonNode>> gatewayRoutes = new TreeMap<>();
            for (StoredResource r : all) {
                ResourceKey key = r.key();
                switch (key.kind()) {
                    case MESH -> meshSpec = r.spec();
                    case VIRTUAL_NODE -> nodes.put(key.name(), r.spec());
                    case VIRTUAL_SERVICE -> services.put(key.name(), r.spec());
                    case VIRTUAL_ROUTER -> routers.put(key.name(), r.spec());
                    case ROUTE -> routes.computeIfAbsent(key.parent(), k -> new TreeMap<>()).put(key.name(), r.spec());
                    case VIRTUAL_GATEWAY -> gateways.put(key.name(), r.spec());
                    case GATEWAY_ROUTE -> gatewayRoutes.computeIfAbsent(key.parent(), k -> new TreeMap<>()).put(key.name(), r.spec());
                }
            }
            if (meshSpec == null) {
                return Optional.<MeshResources>empty();
            }
            Map<String, LinkedHashSet<Endpoint>> merged = new HashMap<>();
            for (EndpointSource source : endpointSources) {
                source.endpoints(tx, mesh).forEach((node, eps) -> merged.computeIfAbsent(node, k -> new LinkedHashSet<>()).addAll(eps));
            }
            Map<String, List<Endpoint>> endpoints = new HashMap<>();
            merged.forEach((node, eps) -> endpoints.put(node, new ArrayList<>(eps)));
            return Optional.of(new MeshResources(mesh, revision, meshSpec, nodes, services, routers, routes, gateways,
                    gatewayRoutes, endpoints, null));
        });
    }

    /** Whether any node or gateway has a listener with TLS or a client policy with TLS: only then do proxies need the bundle. */
    static boolean usesTls(MeshResources m) {
        List<JsonNode> specs = new ArrayList<>(m.nodes().values());
        specs.addAll(m.gateways().values());
        for (JsonNode spec : specs) {
            for (JsonNode l : spec.path("listeners")) {
                if (l.has("tls")) {
                    return true;
                }
            }
            if (spec.path("backendDefaults").path("clientPolicy").has("tls")) {
                return true;
            }
            for (JsonNode b : spec.path("backends")) {
                if (b.path("virtualService").path("clientPolicy").has("tls")) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isProxyKind(ResourceKind kind) {
        return kind == ResourceKind.VIRTUAL_NODE || kind == ResourceKind.VIRTUAL_GATEWAY;
    }
}
