package io.meshwork.proxy.routing;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.GatewayRoute;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.Rewrite;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The path rewrites of App Mesh's gateway routes, with the examples from its user guide. */
class GatewayRewriteTest {
    @Test
    void theMatchedPrefixBecomesSlashByDefault() {
        assertEquals("/tell", rewrite(prefix("/red"), null, "/red/tell"));
        assertEquals("/1", rewrite(prefix("/chapter"), null, "/chapter1"));
        assertEquals("/", rewrite(prefix("/red"), null, "/red"));
        assertEquals("/cart?id=7", GatewayRouting.rewritePath(route(prefix("/store/"), null), "/store/cart", "?id=7"));
    }

    @Test
    void customDisabledAndExactRewrites() {
        assertEquals("/v2/items", rewrite(prefix("/old/"), new Rewrite("/v2/", false, null, false), "/old/items"));
        assertEquals("/old/items", rewrite(prefix("/old/"), new Rewrite(null, true, null, false), "/old/items"));
        HttpMatch exact = new HttpMatch(null, "/login", null, null, null, null, null, null, null, null);
        assertEquals("/auth/login", rewrite(exact, new Rewrite(null, false, "/auth/login", false), "/login"));
    }

    private static String rewrite(HttpMatch match, Rewrite rewrite, String path) {
        return GatewayRouting.rewritePath(route(match, rewrite), path, "");
    }

    private static GatewayRoute route(HttpMatch match, Rewrite rewrite) {
        return new GatewayRoute("r", 0, Protocol.HTTP, match, null, "svc", null, rewrite);
    }

    private static HttpMatch prefix(String p) {
        return new HttpMatch(p, null, null, null, null, null, null, null, null, null);
    }
}
