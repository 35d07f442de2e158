package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.GatewayRoute;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.Route;
import io.meshwork.proxyapi.ServicePort;
import io.meshwork.proxyapi.VirtualService;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The compiler from resources to snapshots, on named fixtures: no database, no network. */
class MeshCompilerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A frontend calling "catalog" (a router with a 90/10 canary and a header route) and "ratings" (a node). */
    static MeshResources shop(Map<String, List<Endpoint>> endpoints) {
        Map<String, JsonNode> nodes = new TreeMap<>();
        nodes.put("frontend", json("{'listeners':[{'portMapping':{'port':8080,'protocol':'http'}}],"
                + "'serviceDiscovery':{'dns':{'hostname':'127.0.0.11'}},"
                + "'backends':[{'virtualService':{'virtualServiceName':'catalog.shop.local'}},"
                + "{'virtualService':{'virtualServiceName':'ratings.shop.local'}},"
                + "{'virtualService':{'virtualServiceName':'missing.shop.local'}}],"
                + "'logging':{'accessLog':{'file':{'path':'/dev/stdout'}}}}"));
        nodes.put("catalog-v1", json("{'listeners':[{'portMapping':{'port':9080,'protocol':'http'},"
                + "'outlierDetection':{'maxServerErrors':5,'maxEjectionPercent':50,'interval':{'unit':'s','value':10},"
                + "'baseEjectionDuration':{'unit':'ms','value':30000}}}],"
                + "'serviceDiscovery':{'dns':{'hostname':'catalog-v1.local','responseType':'ENDPOINTS'}}}"));
        nodes.put("catalog-v2", json("{'listeners':[{'portMapping':{'port':9080,'protocol':'http'}}],"
                + "'serviceDiscovery':{'awsCloudMap':{'namespaceName':'shop','serviceName':'catalog'}}}"));
        nodes.put("ratings", json("{'listeners':[{'portMapping':{'port':7000,'protocol':'grpc'}}],"
                + "'serviceDiscovery':{'dns':{'hostname':'127.0.0.13'}}}"));
        Map<String, JsonNode> services = new TreeMap<>();
        services.put("catalog.shop.local", json("{'provider':{'virtualRouter':{'virtualRouterName':'catalog'}}}"));
        services.put("ratings.shop.local", json("{'provider':{'virtualNode':{'virtualNodeName':'ratings'}}}"));
        Map<String, JsonNode> routers = Map.of("catalog", json("{'listeners':[{'portMapping':{'port':80,'protocol':'http'}}]}"));
        Map<String, JsonNode> routes = new TreeMap<>();
        routes.put("canary", json("{'httpRoute':{'match':{'prefix':'/'},'action':{'weightedTargets':["
                + "{'virtualNode':'catalog-v1','weight':90},{'virtualNode':'catalog-v2','weight':10}]},"
                + "'timeout':{'perRequest':{'unit':'s','value':3}}}}"));
        routes.put("beta-header", json("{'priority':1,'httpRoute':{'match':{'prefix':'/','headers':[{'name':'x-beta',"
                + "'match':{'exact':'1'}}]},'action':{'weightedTargets':[{'virtualNode':'catalog-v2','weight':1}]},"
                + "'retryPolicy':{'maxRetries':3,'perRetryTimeout':{'unit':'ms','value':250},'httpRetryEvents':['gateway-error']}}}"));
        routes.put("api-exact", json("{'httpRoute':{'match':{'path':{'exact':'/api/v1'}},"
                + "'action':{'weightedTargets':[{'virtualNode':'catalog-v1','weight':1}]}}}"));
        routes.put("tcp-stray", json("{'tcpRoute':{'action':{'weightedTargets':[{'virtualNode':'catalog-v1','weight':1}]}}}"));
        Map<String, JsonNode> gateways = Map.of("ingress", json("{'listeners':[{'portMapping':{'port':8443,'protocol':'http'}}]}"));
        Map<String, JsonNode> gatewayRoutes = new TreeMap<>();
        gatewayRoutes.put("short", json("{'httpRoute':{'match':{'prefix':'/shop'},"
                + "'action':{'target':{'virtualService':{'virtualServiceName':'catalog.shop.local'}}}}}"));
        gatewayRoutes.put("long", json("{'httpRoute':{'match':{'prefix':'/shop/ratings/'},"
                + "'action':{'target':{'virtualService':{'virtualServiceName':'ratings.shop.local'}},"
                + "'rewrite':{'hostname':{'defaultTargetHostname':'DISABLED'}}}}}"));
        return new MeshResources("shop", 42, json("{'egressFilter':{'type':'ALLOW_ALL'}}"), nodes, services, routers,
                Map.of("catalog", routes), gateways, Map.of("ingress", gatewayRoutes), endpoints, null);
    }

    @Test
    void nodeSnapshotHasItsListenersBackendsRoutesAndClusters() {
        ProxySnapshot frontend = compile(shop(Map.of())).get(node("frontend"));
        assertEquals("ALLOW_ALL", frontend.egressFilter());
        assertEquals(42, frontend.revision());
        assertEquals(8080, frontend.listeners().get(0).port());
        assertEquals("/dev/stdout", frontend.accessLog().path());
        assertEquals(List.of("catalog.shop.local", "ratings.shop.local"), frontend.services().stream().map(VirtualService::name).toList());
        assertTrue(frontend.problems().contains("backend missing.shop.local names a virtual service that does not exist"));
        assertTrue(frontend.problems().contains("route catalog/tcp-stray matches no listener of its router (protocol or port)"));

        ServicePort catalog = frontend.services().get(0).ports().get(0);
        assertEquals(80, catalog.port());
        assertEquals(List.of("catalog/beta-header", "catalog/api-exact", "catalog/canary"),
                catalog.routes().stream().map(Route::name).toList(), "priority first, then exact path before prefix");
        Route canary = catalog.routes().get(2);
        assertEquals(3000L, canary.timeout().perRequestMillis());
        assertEquals(90, canary.targets().get(0).weight());
        assertEquals(9080, canary.targets().get(0).port(), "the target node's only listener");
        assertEquals(250L, catalog.routes().get(0).retry().perRetryTimeoutMillis());

        ServicePort ratings = frontend.services().get(1).ports().get(0);
        assertEquals(io.meshwork.proxyapi.Protocol.GRPC, ratings.protocol());
        assertEquals("implicit", ratings.routes().get(0).name());

        assertEquals(List.of("catalog-v1", "catalog-v2", "ratings"), frontend.clusters().stream().map(Cluster::name).toList());
        Cluster v1 = frontend.clusters().get(0);
        assertEquals("ENDPOINTS", v1.discovery().responseType());
        assertEquals(30000L, v1.listeners().get(0).outlierDetection().baseEjectionMillis());
        assertEquals("cloudMap", frontend.clusters().get(1).discovery().type());
    }

    @Test
    void gatewaySnapshotOrdersRoutesByLongestPrefixAndResolvesTargets() {
        ProxySnapshot ingress = compile(shop(Map.of())).get(ResourceKey.inMesh(ResourceKind.VIRTUAL_GATEWAY, "shop", "ingress"));
        assertTrue(ingress.isGateway());
        assertEquals(List.of("long", "short"), ingress.gatewayRoutes().stream().map(GatewayRoute::name).toList());
        assertTrue(ingress.gatewayRoutes().get(0).rewrite().hostnameDisabled());
        assertEquals(List.of("catalog.shop.local", "ratings.shop.local"), ingress.services().stream().map(VirtualService::name).toList());
        assertEquals(3, ingress.clusters().size());
    }

    @Test
    void versionIsTheContentAndChangesOnlyWithIt() {
        Map<ResourceKey, ProxySnapshot> first = compile(shop(Map.of()));
        Map<ResourceKey, ProxySnapshot> same = compile(shop(Map.of()));
        assertEquals(first.get(node("frontend")).version(), same.get(node("frontend")).version());

        Map<ResourceKey, ProxySnapshot> withEndpoint = compile(shop(Map.of("ratings", List.of(new Endpoint("127.0.0.42", null, "proxy")))));
        assertNotEquals(first.get(node("frontend")).version(), withEndpoint.get(node("frontend")).version(),
                "a new endpoint of a backend changes the caller's snapshot");
        assertEquals(first.get(node("ratings")).version(), withEndpoint.get(node("ratings")).version(),
                "the node's own snapshot does not list its own endpoints");
        assertEquals(List.of(new Endpoint("127.0.0.42", null, "proxy")),
                withEndpoint.get(node("frontend")).clusters().get(2).endpoints());
    }

    @Test
    void aThousandNodeMeshCompilesEveryNodesSnapshot() {
        Map<String, JsonNode> nodes = new TreeMap<>();
        Map<String, JsonNode> services = new TreeMap<>();
        Map<String, JsonNode> routers = new TreeMap<>();
        Map<String, Map<String, JsonNode>> routes = new TreeMap<>();
        for (int i = 0; i < 1000; i++) {
            String backends = "[{'virtualService':{'virtualServiceName':'svc-" + ((i + 1) % 1000) + "'}},"
                    + "{'virtualService':{'virtualServiceName':'svc-" + ((i + 2) % 1000) + "'}}]";
            nodes.put("node-" + i, json("{'listeners':[{'portMapping':{'port':8080,'protocol':'http'}}],"
                    + "'serviceDiscovery':{'dns':{'hostname':'node-" + i + ".local'}},'backends':" + backends + "}"));
            services.put("svc-" + i, json("{'provider':{'virtualRouter':{'virtualRouterName':'router-" + i + "'}}}"));
            routers.put("router-" + i, json("{'listeners':[{'portMapping':{'port':8080,'protocol':'http'}}]}"));
            routes.put("router-" + i, Map.of("r", json("{'httpRoute':{'match':{'prefix':'/'},'action':{'weightedTargets':"
                    + "[{'virtualNode':'node-" + i + "','weight':1}]}}}")));
        }
        MeshResources big = new MeshResources("big", 1, json("{}"), nodes, services, routers, routes, Map.of(), Map.of(), new HashMap<>(), null);
        // How long this takes is measured in bench/control-plane.sh, not asserted here.
        Map<ResourceKey, ProxySnapshot> out = compile(big);
        assertEquals(1000, out.size());
        var seven = out.get(node("big", "node-7"));
        assertEquals(2, seven.services().size());
        assertTrue(seven.services().stream().anyMatch(s -> s.name().equals("svc-8")), seven.services().toString());
    }

    private static Map<ResourceKey, ProxySnapshot> compile(MeshResources mesh) {
        return MeshCompiler.compile(mesh);
    }

    private static ResourceKey node(String name) {
        return node("shop", name);
    }

    private static ResourceKey node(String mesh, String name) {
        return ResourceKey.inMesh(ResourceKind.VIRTUAL_NODE, mesh, name);
    }

    static JsonNode json(String singleQuoted) {
        try {
            return JSON.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }
}
