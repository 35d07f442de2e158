package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.support.ControllerHarness;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.meshwork.eks.support.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shape of the seven kinds' specs (listeners with TLS, timeouts, pools and outlier
 * detection; both kinds of discovery; client policies; every route type with retries; gateway
 * routes with hostname matches and rewrites; references by name and by ARN) reaches the control
 * API as App Mesh's API spells it, stays put through resyncs (no update loop), and follows the
 * object when fields are removed or added outside Kubernetes.
 */
class SpecShapesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String[] PATHS = {
            "v20190125/meshes/pm", "v20190125/meshes/pm/virtualNodes/be_p", "v20190125/meshes/pm/virtualNodes/betls_p",
            "v20190125/meshes/pm/virtualNodes/cm_p", "v20190125/meshes/pm/virtualNodes/fe_p", "v20190125/meshes/pm/virtualServices/be.p",
            "v20190125/meshes/pm/virtualRouters/r_p", "v20190125/meshes/pm/virtualRouter/r_p/routes/h", "v20190125/meshes/pm/virtualRouter/r_p/routes/p",
            "v20190125/meshes/pm/virtualRouter/rg_p/routes/g", "v20190125/meshes/pm/virtualRouter/rt_p/routes/t",
            "v20190125/meshes/pm/virtualServices/rsvc.example.com", "v20190125/meshes/pm/virtualGateways/gw_p",
            "v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grh_p", "v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grp_p",
            "v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grpv_p", "v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grg_p",
    };
    private static ControllerHarness harness;
    private static MockCluster cluster;
    private static SignedControlApiClient api;

    @BeforeAll
    static void start() throws Exception {
        harness = new ControllerHarness();
        cluster = harness.cluster;
        api = new SignedControlApiClient(harness.api.endpoint(), "us-east-1", harness.api.root(),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        cluster.namespace("p", Map.of("mesh", "pm"));
        harness.start(null, Map.of());
        String[] yamls = {
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: {name: pm}
spec:
  namespaceSelector: {matchLabels: {mesh: pm}}
  egressFilter: {type: ALLOW_ALL}
  meshServiceDiscovery: {ipPreference: IPv4_PREFERRED}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: be, namespace: p}
spec:
  podSelector: {matchLabels: {app: be}}
  listeners:
  - portMapping: {port: 8080, protocol: http}
    healthCheck: {protocol: http, path: /ping, healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000}
    timeout: {http: {idle: {unit: s, value: 600}, perRequest: {unit: ms, value: 15000}}}
    connectionPool: {http: {maxConnections: 100, maxPendingRequests: 10}}
    outlierDetection: {maxServerErrors: 5, interval: {unit: s, value: 10}, baseEjectionDuration: {unit: s, value: 30}, maxEjectionPercent: 50}
  serviceDiscovery: {dns: {hostname: be.p.svc.cluster.local, responseType: LOADBALANCER, ipPreference: IPv4_ONLY}}
  logging: {accessLog: {file: {path: /dev/stdout, format: {text: "%START_TIME% %RESPONSE_CODE%\\n"}}}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: betls, namespace: p}
spec:
  podSelector: {matchLabels: {app: betls}}
  listeners:
  - portMapping: {port: 8443, protocol: http}
    tls:
      mode: STRICT
      certificate: {acm: {certificateARN: "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"}}
  serviceDiscovery: {dns: {hostname: betls.p.svc.cluster.local}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: cm, namespace: p}
spec:
  podSelector: {matchLabels: {app: cm}}
  listeners:
  - portMapping: {port: 9000, protocol: tcp}
    timeout: {tcp: {idle: {unit: s, value: 60}}}
    connectionPool: {tcp: {maxConnections: 10}}
  - portMapping: {port: 9001, protocol: grpc}
    timeout: {grpc: {idle: {unit: s, value: 60}, perRequest: {unit: s, value: 5}}}
    connectionPool: {grpc: {maxRequests: 10}}
    healthCheck: {protocol: grpc, healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000}
  - portMapping: {port: 9002, protocol: http2}
    connectionPool: {http2: {maxRequests: 10}}
  serviceDiscovery: {awsCloudMap: {namespaceName: p.local, serviceName: cm, attributes: [{key: stage, value: prod}], ipPreference: IPv6_PREFERRED}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: be, namespace: p}
spec:
  provider: {virtualNode: {virtualNodeRef: {name: be}}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: fe, namespace: p}
spec:
  podSelector: {matchLabels: {app: fe}}
  listeners: [{portMapping: {port: 80, protocol: http}}]
  serviceDiscovery: {dns: {hostname: fe.p.svc.cluster.local}}
  backends:
  - virtualService:
      virtualServiceRef: {name: be}
      clientPolicy:
        tls:
          enforce: true
          ports: [8080]
          certificate: {file: {certificateChain: /c.pem, privateKey: /k.pem}}
          validation:
            trust: {acm: {certificateAuthorityARNs: ["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012"]}}
            subjectAlternativeNames: {match: {exact: [be.p.svc.cluster.local]}}
  backendDefaults:
    clientPolicy: {tls: {validation: {trust: {file: {certificateChain: /ca.pem}}}}}
  logging: {accessLog: {file: {path: /dev/stdout, format: {json: [{key: code, value: "%RESPONSE_CODE%"}]}}}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: r, namespace: p}
spec:
  listeners: [{portMapping: {port: 8080, protocol: http}}]
  routes:
  - name: h
    priority: 10
    httpRoute:
      match:
        prefix: /
        method: GET
        scheme: http
        headers: [{name: x, invert: false, match: {range: {start: 1, end: 5}}}]
        queryParameters: [{name: q, match: {exact: v}}]
      action: {weightedTargets: [{virtualNodeRef: {name: be}, weight: 1, port: 8080}]}
      retryPolicy: {httpRetryEvents: [server-error], tcpRetryEvents: [connection-error], maxRetries: 3, perRetryTimeout: {unit: ms, value: 2000}}
      timeout: {idle: {unit: s, value: 30}, perRequest: {unit: s, value: 5}}
  - name: p
    httpRoute:
      match: {path: {exact: /exact}}
      action: {weightedTargets: [{virtualNodeRef: {name: be}, weight: 1}]}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: rg, namespace: p}
spec:
  listeners: [{portMapping: {port: 9001, protocol: grpc}}]
  routes:
  - name: g
    grpcRoute:
      match: {serviceName: pkg.Svc, methodName: Get, metadata: [{name: m, invert: false, match: {prefix: v}}], port: 9001}
      action: {weightedTargets: [{virtualNodeRef: {name: cm}, weight: 1, port: 9001}]}
      retryPolicy: {grpcRetryEvents: [unavailable], httpRetryEvents: [gateway-error], maxRetries: 2, perRetryTimeout: {unit: s, value: 1}}
      timeout: {idle: {unit: s, value: 30}, perRequest: {unit: s, value: 5}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: {name: rt, namespace: p}
spec:
  listeners: [{portMapping: {port: 9000, protocol: tcp}}]
  routes:
  - name: t
    tcpRoute:
      match: {port: 9000}
      action: {weightedTargets: [{virtualNodeARN: "arn:aws:appmesh:us-east-1:000000000000:mesh/pm/virtualNode/cm_p", weight: 1}]}
      timeout: {idle: {unit: s, value: 30}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: {name: rsvc, namespace: p}
spec:
  awsName: rsvc.example.com
  provider: {virtualRouter: {virtualRouterRef: {name: r}}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualGateway
metadata: {name: gw, namespace: p}
spec:
  namespaceSelector: {matchLabels: {mesh: pm}}
  podSelector: {matchLabels: {app: gw}}
  listeners:
  - portMapping: {port: 8443, protocol: http}
    tls: {mode: STRICT, certificate: {file: {certificateChain: /c.pem, privateKey: /k.pem}}}
    healthCheck: {protocol: http, path: /, healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000}
    connectionPool: {http: {maxConnections: 1024}}
  backendDefaults:
    clientPolicy: {tls: {enforce: true, validation: {trust: {file: {certificateChain: /ca.pem}}}}}
  logging: {accessLog: {file: {path: /dev/stdout, format: {json: [{key: c, value: "%RESPONSE_CODE%"}]}}}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: grh, namespace: p}
spec:
  priority: 5
  httpRoute:
    match: {prefix: /, hostname: {exact: www.example.com}, headers: [{name: a, match: {suffix: b}}]}
    action:
      target: {virtualService: {virtualServiceRef: {name: be}}, port: 8080}
      rewrite: {prefix: {defaultPrefix: DISABLED}, hostname: {defaultTargetHostname: DISABLED}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: grp, namespace: p}
spec:
  httpRoute:
    match: {path: {exact: /v1/old}, queryParameters: [{name: q, match: {exact: x}}], method: POST}
    action:
      target: {virtualService: {virtualServiceRef: {name: be}}}
      rewrite: {path: {exact: /new}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: grpv, namespace: p}
spec:
  http2Route:
    match: {prefix: /api/}
    action:
      target: {virtualService: {virtualServiceRef: {name: be}}}
      rewrite: {prefix: {value: /v2/}}
""",
"""
apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: {name: grg, namespace: p}
spec:
  grpcRoute:
    match: {serviceName: pkg.Svc, hostname: {suffix: .example.com}, metadata: [{name: m, match: {exact: v}}]}
    action:
      target: {virtualService: {virtualServiceARN: "arn:aws:appmesh:us-east-1:000000000000:mesh/pm/virtualService/be.p"}}
      rewrite: {hostname: {defaultTargetHostname: ENABLED}}
""",
        };
        for (String yaml : yamls) {
            cluster.create(yaml);
        }
        for (String path : PATHS) {
            await(path, WAIT, () -> get(path).path("metadata").has("arn"));
        }
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private static JsonNode get(String path) {
        try {
            var response = api.send("GET", "/" + path, null, Duration.ofSeconds(10));
            return SnapshotJson.mapper().readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode spec(String path) {
        return get(path).path("spec");
    }

    private static MeshObject object(AppMeshKind kind, String name) {
        GenericKubernetesResource r = cluster.get(kind, "p", name);
        return MeshObject.of(r);
    }

    @Test
    void everyShapeReachesTheApiAsAppMeshSpellsIt() {
        assertEquals("IPv4_PREFERRED", spec("v20190125/meshes/pm").path("serviceDiscovery").path("ipPreference").asText());
        assertEquals("ALLOW_ALL", spec("v20190125/meshes/pm").path("egressFilter").path("type").asText());
        assertEquals("arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012",
                spec("v20190125/meshes/pm/virtualNodes/betls_p").path("listeners").get(0).path("tls").path("certificate").path("acm")
                        .path("certificateArn").asText());
        JsonNode fe = spec("v20190125/meshes/pm/virtualNodes/fe_p");
        assertEquals("be.p", fe.path("backends").get(0).path("virtualService").path("virtualServiceName").asText());
        assertEquals("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012",
                fe.path("backends").get(0).path("virtualService").path("clientPolicy").path("tls").path("validation").path("trust")
                        .path("acm").path("certificateAuthorityArns").get(0).asText());
        assertEquals("IPv6_PREFERRED", spec("v20190125/meshes/pm/virtualNodes/cm_p").path("serviceDiscovery").path("awsCloudMap")
                .path("ipPreference").asText());
        JsonNode h = spec("v20190125/meshes/pm/virtualRouter/r_p/routes/h");
        assertEquals("be_p", h.path("httpRoute").path("action").path("weightedTargets").get(0).path("virtualNode").asText());
        assertEquals(8080, h.path("httpRoute").path("action").path("weightedTargets").get(0).path("port").asInt());
        assertEquals(10, h.path("priority").asInt());
        assertEquals(3, h.path("httpRoute").path("retryPolicy").path("maxRetries").asInt());
        assertEquals("cm_p", spec("v20190125/meshes/pm/virtualRouter/rt_p/routes/t").path("tcpRoute").path("action")
                .path("weightedTargets").get(0).path("virtualNode").asText());
        assertEquals("unavailable", spec("v20190125/meshes/pm/virtualRouter/rg_p/routes/g").path("grpcRoute").path("retryPolicy")
                .path("grpcRetryEvents").get(0).asText());
        assertEquals("r_p", spec("v20190125/meshes/pm/virtualServices/rsvc.example.com").path("provider").path("virtualRouter")
                .path("virtualRouterName").asText());
        JsonNode grh = spec("v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grh_p").path("httpRoute");
        assertEquals("www.example.com", grh.path("match").path("hostname").path("exact").asText());
        assertEquals("be.p", grh.path("action").path("target").path("virtualService").path("virtualServiceName").asText());
        assertEquals(8080, grh.path("action").path("target").path("port").asInt());
        assertEquals("DISABLED", grh.path("action").path("rewrite").path("hostname").path("defaultTargetHostname").asText());
        assertEquals("be.p", spec("v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grg_p").path("grpcRoute").path("action")
                .path("target").path("virtualService").path("virtualServiceName").asText());
        assertEquals("/new", spec("v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grp_p").path("httpRoute").path("action")
                .path("rewrite").path("path").path("exact").asText());
        assertEquals("/v2/", spec("v20190125/meshes/pm/virtualGateway/gw_p/gatewayRoutes/grpv_p").path("http2Route").path("action")
                .path("rewrite").path("prefix").path("value").asText());
    }

    @Test
    void resyncsLeaveResourcesAloneAndRemovalsAndOutsideAdditionsAreFollowed() throws Exception {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (String path : PATHS) {
            versions.put(path, get(path).path("metadata").path("version").asLong());
        }
        Thread.sleep(6500); // three resyncs (2 s in tests)
        for (String path : PATHS) {
            assertEquals(versions.get(path), get(path).path("metadata").path("version").asLong(), path + " was updated by a resync");
        }

        // Fields removed from the object are removed from App Mesh, in a route as in a node.
        cluster.editSpec(AppMeshKind.VIRTUAL_ROUTER, "p", "r", spec -> {
            @SuppressWarnings("unchecked")
            var route = (Map<String, Object>) ((List<Map<String, Object>>) spec.get("routes")).get(0).get("httpRoute");
            route.remove("retryPolicy");
            route.remove("timeout");
        });
        cluster.editSpec(AppMeshKind.VIRTUAL_NODE, "p", "be", spec -> spec.remove("logging"));
        await("retryPolicy gone", WAIT, () -> !spec("v20190125/meshes/pm/virtualRouter/r_p/routes/h").path("httpRoute").has("retryPolicy"));
        await("logging gone", WAIT, () -> !spec("v20190125/meshes/pm/virtualNodes/be_p").has("logging"));

        // Added outside Kubernetes: taken away again.
        ObjectNode body = SnapshotJson.mapper().createObjectNode();
        ObjectNode changed = spec("v20190125/meshes/pm/virtualNodes/betls_p").deepCopy();
        changed.putObject("logging").putObject("accessLog").putObject("file").put("path", "/dev/stdout");
        body.set("spec", changed);
        assertEquals(200, api.send("PUT", "/v20190125/meshes/pm/virtualNodes/betls_p", SnapshotJson.mapper().writeValueAsBytes(body),
                Duration.ofSeconds(10)).statusCode());
        await("the outside addition reverted", WAIT, () -> !spec("v20190125/meshes/pm/virtualNodes/betls_p").has("logging"));
    }

    @Test
    void anUpdateTheApiRefusesIsNotObservedAndTheNextGoodSpecIsApplied() {
        long observed = object(AppMeshKind.VIRTUAL_NODE, "cm").status().path("observedGeneration").asLong();
        cluster.editSpec(AppMeshKind.VIRTUAL_NODE, "p", "cm", spec -> {
            @SuppressWarnings("unchecked")
            var listener = (Map<String, Object>) ((List<Map<String, Object>>) spec.get("listeners")).get(1);
            @SuppressWarnings("unchecked")
            var check = (Map<String, Object>) listener.get("healthCheck");
            check.put("intervalMillis", 10);
        });
        await("refused", WAIT, () -> "BadRequestException".equals(object(AppMeshKind.VIRTUAL_NODE, "cm").status().path("conditions")
                .get(0).path("reason").asText()));
        assertEquals(observed, object(AppMeshKind.VIRTUAL_NODE, "cm").status().path("observedGeneration").asLong(),
                "a refused spec is not observed");

        cluster.editSpec(AppMeshKind.VIRTUAL_NODE, "p", "cm", spec -> {
            @SuppressWarnings("unchecked")
            var listeners = (List<Map<String, Object>>) spec.get("listeners");
            @SuppressWarnings("unchecked")
            var check = (Map<String, Object>) listeners.get(1).get("healthCheck");
            check.put("intervalMillis", 6000);
        });
        await("applied", WAIT, () -> spec("v20190125/meshes/pm/virtualNodes/cm_p").path("listeners").get(1).path("healthCheck")
                .path("intervalMillis").asInt() == 6000);
        MeshObject cm = object(AppMeshKind.VIRTUAL_NODE, "cm");
        await("observed", WAIT, () -> object(AppMeshKind.VIRTUAL_NODE, "cm").status().path("observedGeneration").asLong() == cm.generation());
        assertTrue(cm.generation() > observed);
    }
}
