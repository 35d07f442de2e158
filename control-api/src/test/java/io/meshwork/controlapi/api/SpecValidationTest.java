package io.meshwork.controlapi.api;

import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The constraints of the App Mesh model and its cross-field rules: each violation is a
 * BadRequestException whose message names where the problem is; valid specs pass.
 */
class SpecValidationTest {
    private static final String NODES = "/v20190125/meshes/v/virtualNodes";
    private static final String ROUTES = "/v20190125/meshes/v/virtualRouter/r/routes";
    private static final String GATEWAY_ROUTES = "/v20190125/meshes/v/virtualGateway/g/gatewayRoutes";
    private static final String ROUTERS = "/v20190125/meshes/v/virtualRouters";
    private static final String GATEWAYS = "/v20190125/meshes/v/virtualGateways";
    private static final String SERVICES = "/v20190125/meshes/v/virtualServices";
    private static ControlApiServer server;
    private static SignedHttp http;
    private static int counter;

    @BeforeAll
    static void start() {
        server = ControlApiServer.start();
        http = new SignedHttp(server.endpoint());
        ok(put("/v20190125/meshes", "{\"meshName\":\"v\"}"));
        ok(put(NODES, "{\"virtualNodeName\":\"n\",\"spec\":{}}"));
        ok(put(ROUTERS, "{\"virtualRouterName\":\"r\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"}}]}}"));
        ok(put(SERVICES, "{\"virtualServiceName\":\"s.local\",\"spec\":{}}"));
        ok(put(GATEWAYS, "{\"virtualGatewayName\":\"g\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}]}}"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> invalid() {
        String dns = ",\"serviceDiscovery\":{\"dns\":{\"hostname\":\"n.local\"}}";
        String target = "\"action\":{\"weightedTargets\":[{\"virtualNode\":\"n\",\"weight\":1}]}";
        String gwTarget = "\"action\":{\"target\":{\"virtualService\":{\"virtualServiceName\":\"s.local\"}}}";
        return Stream.of(
                // model: ranges, enums, lengths, list sizes, unions, required members
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":0,\"protocol\":\"http\"}}]" + dns + "}"), "portMapping.port"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"udp\"}}]" + dns + "}"), "protocol"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"},\"healthCheck\":"
                        + "{\"protocol\":\"http\",\"path\":\"/\",\"intervalMillis\":1000,\"timeoutMillis\":2000,\"healthyThreshold\":2,"
                        + "\"unhealthyThreshold\":2}}]" + dns + "}"), "intervalMillis"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"},\"outlierDetection\":"
                        + "{\"maxServerErrors\":0,\"maxEjectionPercent\":10,\"interval\":{\"unit\":\"s\",\"value\":1},"
                        + "\"baseEjectionDuration\":{\"unit\":\"s\",\"value\":1}}}]" + dns + "}"), "maxServerErrors"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"},\"timeout\":"
                        + "{\"http\":{\"perRequest\":{\"unit\":\"s\"}}}}]" + dns + "}"), "perRequest.value"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"},\"timeout\":"
                        + "{\"http\":{\"perRequest\":{\"unit\":\"minutes\",\"value\":1}}}}]" + dns + "}"), "unit"),
                Arguments.of(NODES, node("{\"serviceDiscovery\":{\"dns\":{\"hostname\":\"a\"},\"awsCloudMap\":"
                        + "{\"namespaceName\":\"ns\",\"serviceName\":\"svc\"}}}"), "exactly one"),
                Arguments.of(NODES, node("{\"serviceDiscovery\":{\"awsCloudMap\":{\"namespaceName\":\"ns\"}}}"), "serviceName"),
                Arguments.of(NODES, node("{\"serviceDiscovery\":{\"awsCloudMap\":{\"namespaceName\":\"ns\",\"serviceName\":\"s\","
                        + "\"attributes\":[{\"key\":\"bad key\",\"value\":\"v\"}]}}}"), "pattern"),
                Arguments.of(NODES, node("{\"backends\":[{\"virtualService\":{\"virtualServiceName\":\"a\",\"clientPolicy\":"
                        + "{\"tls\":{\"validation\":{\"trust\":{\"acm\":{\"certificateAuthorityArns\":[]}}}}}}}]}"), "certificateAuthorityArns"),
                Arguments.of(NODES, node("{\"logging\":{\"accessLog\":{\"file\":{\"path\":\"\"}}}}"), "path"),
                // cross-field rules
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"}}]}"), "serviceDiscovery"),
                Arguments.of(NODES, node("{\"serviceDiscovery\":{\"dns\":{\"hostname\":\"n.local\"}}}"),
                        "'spec.serviceDiscovery' can't be set without a listener"),
                Arguments.of(NODES, node("{\"listeners\":[]" + dns + "}"), "can't be set without a listener"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"}},"
                        + "{\"portMapping\":{\"port\":80,\"protocol\":\"tcp\"}}]" + dns + "}"), "repeats port 80"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"},"
                        + "\"connectionPool\":{\"tcp\":{\"maxConnections\":1}}}]" + dns + "}"), "connectionPool.tcp"),
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"},\"healthCheck\":"
                        + "{\"protocol\":\"http\",\"path\":\"/\",\"port\":81,\"intervalMillis\":5000,\"timeoutMillis\":2000,"
                        + "\"healthyThreshold\":2,\"unhealthyThreshold\":2}}]" + dns + "}"), "healthCheck.port"),
                Arguments.of(NODES, node("{\"backends\":[{\"virtualService\":{\"virtualServiceName\":\"a\"}},"
                        + "{\"virtualService\":{\"virtualServiceName\":\"a\"}}]}"), "repeats virtual service"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\"}," + target + "},\"tcpRoute\":{" + target + "}}"),
                        "exactly one"),
                Arguments.of(ROUTES, route("{}"), "exactly one"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"api\"}," + target + "}}"), "start with '/'"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{}," + target + "}}"), "prefix, path"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"path\":{\"regex\":\"([\"}}," + target + "}}"), "regular expression"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\",\"headers\":[{\"name\":\"x\","
                        + "\"match\":{\"range\":{\"start\":5,\"end\":5}}}]}," + target + "}}"), "start < end"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\",\"headers\":[]}," + target + "}}"), "headers"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\"},\"action\":{\"weightedTargets\":[]}}}"),
                        "weightedTargets"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\"},\"action\":{\"weightedTargets\":"
                        + "[{\"virtualNode\":\"n\",\"weight\":0}]}}}"), "zero weights"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\"},\"action\":{\"weightedTargets\":"
                        + "[{\"virtualNode\":\"n\",\"weight\":101}]}}}"), "weight"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\"}," + target + ",\"retryPolicy\":"
                        + "{\"maxRetries\":2,\"perRetryTimeout\":{\"unit\":\"s\",\"value\":1}}}}"), "retry event"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\"}," + target + ",\"retryPolicy\":"
                        + "{\"maxRetries\":2,\"perRetryTimeout\":{\"unit\":\"s\",\"value\":1},\"httpRetryEvents\":[\"sometimes\"]}}}"),
                        "httpRetryEvents[0]"),
                Arguments.of(ROUTES, route("{\"httpRoute\":{\"match\":{\"prefix\":\"/\",\"port\":81}," + target + "}}"),
                        "not a port the virtual router listens on"),
                Arguments.of(ROUTES, route("{\"priority\":1001,\"httpRoute\":{\"match\":{\"prefix\":\"/\"}," + target + "}}"), "priority"),
                Arguments.of(ROUTES, route("{\"grpcRoute\":{\"match\":{\"methodName\":\"Get\"}," + target + "}}"), "serviceName"),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"httpRoute\":{\"match\":{\"prefix\":\"/aws-appmesh/x\"}," + gwTarget + "}}"),
                        "reserves"),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"httpRoute\":{\"match\":{\"prefix\":\"/a\"},\"action\":{\"target\":"
                        + "{\"virtualService\":{\"virtualServiceName\":\"s.local\"}},\"rewrite\":{\"prefix\":{\"value\":\"/b/\"}}}}}"),
                        "must end with '/'"),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"httpRoute\":{\"match\":{\"prefix\":\"/a/\"},\"action\":{\"target\":"
                        + "{\"virtualService\":{\"virtualServiceName\":\"s.local\"}},\"rewrite\":{\"path\":{\"exact\":\"/b\"}}}}}"),
                        "exact path match"),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"httpRoute\":{\"match\":{\"hostname\":{\"exact\":\"a\",\"suffix\":\"b\"}},"
                        + gwTarget + "}}"), "exactly one"),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"grpcRoute\":{\"match\":{\"serviceName\":\"aws.appmesh.Foo\"}," + gwTarget + "}}"),
                        "reserves"),
                Arguments.of(GATEWAYS, "{\"virtualGatewayName\":\"g2\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"tcp\"}}]}}",
                        "protocol"),
                Arguments.of(GATEWAYS, "{\"virtualGatewayName\":\"g2\",\"spec\":{\"listeners\":[]}}", "at least one listener"),
                Arguments.of(GATEWAYS, "{\"virtualGatewayName\":\"g2\",\"spec\":{}}", "spec.listeners"),
                Arguments.of(SERVICES, "{\"virtualServiceName\":\"x.local\",\"spec\":{\"provider\":{}}}", "exactly one"),
                Arguments.of(SERVICES, "{\"virtualServiceName\":\"\",\"spec\":{}}", "virtualServiceName"),
                Arguments.of("/v20190125/meshes", "{\"meshName\":\"e\",\"spec\":{\"egressFilter\":{\"type\":\"SOME\"}}}", "egressFilter.type"),
                Arguments.of("/v20190125/meshes", "{\"meshName\":\"e\",\"tags\":[{\"key\":\"\",\"value\":\"v\"}]}", "tags[0].key"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("invalid")
    void violationIsBadRequestNamingWhere(String path, String body, String mentioned) {
        HttpResponse<String> response = put(path, body);
        assertEquals(400, response.statusCode(), body + " -> " + response.body());
        assertEquals("BadRequestException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertTrue(response.body().contains(mentioned), "expected the message to mention '" + mentioned + "': " + response.body());
    }

    @Test
    void updateThatDropsTheListenersButKeepsServiceDiscoveryIsRefused() {
        ok(put(NODES, "{\"virtualNodeName\":\"listening\",\"spec\":{\"listeners\":[{\"portMapping\":"
                + "{\"port\":80,\"protocol\":\"http\"}}],\"serviceDiscovery\":{\"awsCloudMap\":"
                + "{\"namespaceName\":\"ns\",\"serviceName\":\"svc\"}}}}"));
        HttpResponse<String> response = put(NODES + "/listening",
                "{\"spec\":{\"serviceDiscovery\":{\"awsCloudMap\":{\"namespaceName\":\"ns\",\"serviceName\":\"svc\"}}}}");
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("BadRequestException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertTrue(response.body().contains("can't be set without a listener"), response.body());
        HttpResponse<String> described = http.send("GET", NODES + "/listening", null);
        assertTrue(described.body().contains("\"version\":1"), "the refused update changed nothing: " + described.body());
    }

    @Test
    void gatewayRouteToAServiceWhoseProviderListensOnSeveralPortsMustNameThePort() {
        String twoListeners = "\"listeners\":[{\"portMapping\":{\"port\":80,\"protocol\":\"http\"}},"
                + "{\"portMapping\":{\"port\":81,\"protocol\":\"http\"}}]";
        ok(put(NODES, "{\"virtualNodeName\":\"two-ports\",\"spec\":{" + twoListeners
                + ",\"serviceDiscovery\":{\"dns\":{\"hostname\":\"two-ports.local\"}}}}"));
        ok(put(ROUTERS, "{\"virtualRouterName\":\"two-ports\",\"spec\":{" + twoListeners + "}}"));
        ok(put(NODES, "{\"virtualNodeName\":\"one-port\",\"spec\":{\"listeners\":[{\"portMapping\":"
                + "{\"port\":80,\"protocol\":\"http\"}}],\"serviceDiscovery\":{\"dns\":{\"hostname\":\"one-port.local\"}}}}"));
        ok(put(SERVICES, "{\"virtualServiceName\":\"by-node.local\",\"spec\":{\"provider\":{\"virtualNode\":"
                + "{\"virtualNodeName\":\"two-ports\"}}}}"));
        ok(put(SERVICES, "{\"virtualServiceName\":\"by-router.local\",\"spec\":{\"provider\":{\"virtualRouter\":"
                + "{\"virtualRouterName\":\"two-ports\"}}}}"));
        ok(put(SERVICES, "{\"virtualServiceName\":\"single.local\",\"spec\":{\"provider\":{\"virtualNode\":"
                + "{\"virtualNodeName\":\"one-port\"}}}}"));

        assertTargetPortRequired(put(GATEWAY_ROUTES, gatewayRoute(httpRouteTo("by-node.local", ""))),
                "spec.httpRoute.action.target.port", "VirtualNode with name two-ports", "[80, 81]");
        assertTargetPortRequired(put(GATEWAY_ROUTES, gatewayRoute("{\"grpcRoute\":{\"match\":{\"serviceName\":\"pkg.Svc\"},"
                        + "\"action\":{\"target\":{\"virtualService\":{\"virtualServiceName\":\"by-router.local\"}}}}}")),
                "spec.grpcRoute.action.target.port", "VirtualRouter with name two-ports", "[80, 81]");
        ok(put(GATEWAY_ROUTES, gatewayRoute(httpRouteTo("single.local", ""))));
        ok(put(GATEWAY_ROUTES, "{\"gatewayRouteName\":\"to-81\",\"spec\":" + httpRouteTo("by-node.local", ",\"port\":81") + "}"));

        // Dropping the port later is refused the same way, and leaves the route as it was.
        assertTargetPortRequired(put(GATEWAY_ROUTES + "/to-81", "{\"spec\":" + httpRouteTo("by-node.local", "") + "}"),
                "spec.httpRoute.action.target.port", "two-ports", "[80, 81]");
        assertTrue(http.send("GET", GATEWAY_ROUTES + "/to-81", null).body().contains("\"port\":81"));
    }

    private static String httpRouteTo(String service, String port) {
        return "{\"httpRoute\":{\"match\":{\"prefix\":\"/\"},\"action\":{\"target\":{\"virtualService\":"
                + "{\"virtualServiceName\":\"" + service + "\"}" + port + "}}}}";
    }

    private static void assertTargetPortRequired(HttpResponse<String> response, String... mentioned) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("BadRequestException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        for (String m : mentioned) {
            assertTrue(response.body().contains(m), "expected '" + m + "' in " + response.body());
        }
    }

    static Stream<Arguments> valid() {
        String target = "\"action\":{\"weightedTargets\":[{\"virtualNode\":\"n\",\"weight\":90},{\"virtualNode\":\"n\",\"weight\":10}]}";
        return Stream.of(
                Arguments.of(NODES, node("{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"},"
                        + "\"healthCheck\":{\"protocol\":\"http\",\"path\":\"/ping\",\"intervalMillis\":5000,\"timeoutMillis\":2000,"
                        + "\"healthyThreshold\":2,\"unhealthyThreshold\":2},"
                        + "\"outlierDetection\":{\"maxServerErrors\":5,\"maxEjectionPercent\":50,\"interval\":{\"unit\":\"s\",\"value\":10},"
                        + "\"baseEjectionDuration\":{\"unit\":\"s\",\"value\":30}},"
                        + "\"connectionPool\":{\"http\":{\"maxConnections\":100,\"maxPendingRequests\":10}},"
                        + "\"timeout\":{\"http\":{\"perRequest\":{\"unit\":\"s\",\"value\":30},\"idle\":{\"unit\":\"ms\",\"value\":0}}},"
                        + "\"tls\":{\"mode\":\"STRICT\",\"certificate\":{\"sds\":{\"secretName\":\"spiffe://meshwork.local/mesh/v/virtualNode/n\"}},"
                        + "\"validation\":{\"trust\":{\"sds\":{\"secretName\":\"spiffe://meshwork.local\"}}}}}],"
                        + "\"serviceDiscovery\":{\"awsCloudMap\":{\"namespaceName\":\"ns\",\"serviceName\":\"svc\","
                        + "\"attributes\":[{\"key\":\"stage\",\"value\":\"canary v2\"}]}},"
                        + "\"backends\":[{\"virtualService\":{\"virtualServiceName\":\"s.local\",\"clientPolicy\":{\"tls\":"
                        + "{\"enforce\":true,\"ports\":[443],\"validation\":{\"trust\":{\"acm\":{\"certificateAuthorityArns\":"
                        + "[\"arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/x\"]}},"
                        + "\"subjectAlternativeNames\":{\"match\":{\"exact\":[\"s.local\"]}}}}}}}],"
                        + "\"logging\":{\"accessLog\":{\"file\":{\"path\":\"/dev/stdout\",\"format\":{\"json\":[{\"key\":\"code\","
                        + "\"value\":\"%RESPONSE_CODE%\"}]}}}}}")),
                Arguments.of(ROUTES, route("{\"priority\":0,\"http2Route\":{\"match\":{\"path\":{\"exact\":\"/a\"},\"method\":\"POST\","
                        + "\"scheme\":\"https\",\"headers\":[{\"name\":\"x-canary\",\"invert\":true,\"match\":{\"regex\":\"^t.*\"}}],"
                        + "\"queryParameters\":[{\"name\":\"v\",\"match\":{\"exact\":\"2\"}}]}," + target + ","
                        + "\"retryPolicy\":{\"maxRetries\":3,\"perRetryTimeout\":{\"unit\":\"ms\",\"value\":500},"
                        + "\"httpRetryEvents\":[\"server-error\",\"gateway-error\"],\"tcpRetryEvents\":[\"connection-error\"]},"
                        + "\"timeout\":{\"perRequest\":{\"unit\":\"s\",\"value\":20}}}}")),
                Arguments.of(ROUTES, route("{\"grpcRoute\":{\"match\":{\"serviceName\":\"pkg.Svc\",\"methodName\":\"Get\","
                        + "\"metadata\":[{\"name\":\"tenant\",\"match\":{\"range\":{\"start\":1,\"end\":100}}}]}," + target + ","
                        + "\"retryPolicy\":{\"maxRetries\":1,\"perRetryTimeout\":{\"unit\":\"s\",\"value\":1},"
                        + "\"grpcRetryEvents\":[\"unavailable\"]}}}")),
                Arguments.of(ROUTES, route("{\"tcpRoute\":{" + target + ",\"timeout\":{\"idle\":{\"unit\":\"s\",\"value\":600}}}}")),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"priority\":5,\"httpRoute\":{\"match\":{\"prefix\":\"/red/\","
                        + "\"hostname\":{\"suffix\":\".example.com\"}},\"action\":{\"target\":{\"virtualService\":"
                        + "{\"virtualServiceName\":\"s.local\"}},\"rewrite\":{\"prefix\":{\"value\":\"/blue/\"},"
                        + "\"hostname\":{\"defaultTargetHostname\":\"DISABLED\"}}}}}")),
                Arguments.of(GATEWAY_ROUTES, gatewayRoute("{\"grpcRoute\":{\"match\":{\"serviceName\":\"pkg.Svc\"},"
                        + "\"action\":{\"target\":{\"virtualService\":{\"virtualServiceName\":\"s.local\"}}}}}")));
    }

    @ParameterizedTest(name = "[{index}] valid")
    @MethodSource("valid")
    void validSpecIsAcceptedAndEchoedUnchanged(String path, String body) throws Exception {
        HttpResponse<String> response = put(path, body);
        assertEquals(200, response.statusCode(), response.body());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(mapper.readTree(body).get("spec"), mapper.readTree(response.body()).get("spec"));
    }

    private static String node(String spec) {
        return "{\"virtualNodeName\":\"n" + (++counter) + "\",\"spec\":" + spec + "}";
    }

    private static String route(String spec) {
        return "{\"routeName\":\"r" + (++counter) + "\",\"spec\":" + spec + "}";
    }

    private static String gatewayRoute(String spec) {
        return "{\"gatewayRouteName\":\"gr" + (++counter) + "\",\"spec\":" + spec + "}";
    }

    private static HttpResponse<String> put(String path, String body) {
        return http.send("PUT", path, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
    }
}
