package io.meshwork.controlapi.api;

import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks every route the server has, the App Mesh API and Meshwork's own alike, and sends each an
 * unsigned request with a body no handler would accept: all answer 403 ForbiddenException, except
 * the health check. A route added later without a thought for authentication is covered too.
 */
class EveryRouteIsAuthenticatedTest {
    private static final Set<String> PUBLIC = Set.of("GET /health", "HEAD /health");
    private static ControlApiServer server;
    private static SignedHttp http;

    @BeforeAll
    static void start() {
        server = ControlApiServer.start();
        http = new SignedHttp(server.endpoint());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRouteRefusesAnUnsignedRequestExceptTheHealthCheck() {
        List<String> routes = new ArrayList<>();
        List<String> reachable = new ArrayList<>();
        server.context().getBean(Router.class).uriRoutes().forEach(route -> {
            String method = route.getHttpMethodName();
            String path = concretePath(route);
            String name = method + " " + route.getUriMatchTemplate();
            routes.add(name);
            HttpResponse<String> response = http.sendUnsigned(method, path, "not json, not signed".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "text/plain"));
            boolean forbidden = response.statusCode() == 403
                    && "ForbiddenException".equals(response.headers().firstValue("x-amzn-ErrorType").orElse(null));
            if (PUBLIC.contains(name)) {
                assertEquals(200, response.statusCode(), name + " is public: " + response.body());
            } else if (!forbidden) {
                reachable.add(name + " -> " + response.statusCode() + " " + response.body());
            }
        });
        assertEquals(List.of(), reachable, "routes that judged an unsigned request on anything but its signature");
        assertTrue(routes.stream().filter(r -> r.contains("/v20190125")).count() >= 38, "every App Mesh operation: " + routes);
        assertTrue(routes.stream().anyMatch(r -> r.contains("/meshwork/v1/proxies")), "Meshwork's own API: " + routes);
        assertTrue(routes.containsAll(PUBLIC), "the public routes exist: " + routes);
    }

    /** The route's path with every variable filled in ({meshName} becomes "x"). */
    private static String concretePath(UriRouteInfo<?, ?> route) {
        Map<String, Object> values = new HashMap<>();
        route.getUriMatchTemplate().getVariableNames().forEach(v -> values.put(v, "x"));
        return route.getUriMatchTemplate().expand(values);
    }
}
