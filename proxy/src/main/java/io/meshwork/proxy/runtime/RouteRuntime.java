package io.meshwork.proxy.runtime;

import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.match.HttpMatcher;
import io.meshwork.proxy.routing.match.WeightedPicker;
import io.meshwork.proxyapi.Route;

/** A route ready to match and pick: the snapshot's route with its matcher, its picker and its retry rules. */
public record RouteRuntime(Route route, HttpMatcher matcher, WeightedPicker picker, RetryRules retry) {
    static RouteRuntime of(Route route) {
        return new RouteRuntime(route, HttpMatcher.of(route.http(), route.grpc()), new WeightedPicker(route.targets()),
                RetryRules.of(route.retry()));
    }

    /** The route's per-request timeout: App Mesh's 15 s unless it sets one (0 turns it off). */
    public long timeoutMillis(long fallback) {
        return route.timeout() != null && route.timeout().perRequestMillis() != null ? route.timeout().perRequestMillis() : fallback;
    }

    /** The route's idle timeout, 0 for none (App Mesh's default). */
    public long idleMillis() {
        return route.timeout() != null && route.timeout().idleMillis() != null ? route.timeout().idleMillis() : 0;
    }
}
