package io.meshwork.proxy.runtime;

import io.meshwork.proxy.observability.TrafficEdge;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.TrafficMeters;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.routing.match.HttpMatcher;
import io.meshwork.proxy.routing.match.WeightedPicker;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.Route;
import io.meshwork.proxyapi.WeightedTarget;

import java.util.List;

/**
 * A route ready to match and pick: the snapshot's route with its matcher, its picker, its retry
 * rules, and the traffic meter of each of its targets (resolved here, not per request).
 */
public record RouteRuntime(Route route, HttpMatcher matcher, WeightedPicker picker, RetryRules retry,
                           List<WeightedTarget> targets, List<TrafficMeter> meters) {
    static RouteRuntime of(Route route, String direction, String service, Protocol protocol, TrafficMeters traffic) {
        List<WeightedTarget> targets = route.targets() == null ? List.of() : List.copyOf(route.targets());
        List<TrafficMeter> meters = targets.stream()
                .map(t -> traffic.meter(TrafficEdge.outbound(direction, service, route.name(), t.cluster(), protocol))).toList();
        return new RouteRuntime(route, HttpMatcher.of(route.http(), route.grpc()), new WeightedPicker(targets),
                RetryRules.of(route.retry()), targets, meters);
    }

    /** The meter of {@code target}, one the picker returned. */
    public TrafficMeter meter(WeightedTarget target) {
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i) == target) {
                return meters.get(i);
            }
        }
        return TrafficMeter.NONE;
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
