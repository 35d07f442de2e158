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
 * rules, and the traffic meter of each of its targets (resolved here, not per request). It also
 * keeps, per target, a decision routing made for it: nearly every request on a route gets the
 * same one, so routing reuses it instead of making one per request. The slot is typed Object
 * here because the decision is routing's type, and routing already depends on this package.
 */
public final class RouteRuntime {
    private final Route route;
    private final HttpMatcher matcher;
    private final WeightedPicker picker;
    private final RetryRules retry;
    private final List<WeightedTarget> targets;
    private final List<TrafficMeter> meters;
    /**
     * Per target, the decision routing keeps for it. Read and written by every event loop without a
     * lock: a decision is immutable (final fields), so a racing reader sees either a whole one or
     * an older one, and checks that it still fits before using it.
     */
    private final Object[] keptDecisions;

    RouteRuntime(Route route, HttpMatcher matcher, WeightedPicker picker, RetryRules retry, List<WeightedTarget> targets,
                 List<TrafficMeter> meters) {
        this.route = route;
        this.matcher = matcher;
        this.picker = picker;
        this.retry = retry;
        this.targets = targets;
        this.meters = meters;
        this.keptDecisions = new Object[targets.size()];
    }

    static RouteRuntime of(Route route, String direction, String service, Protocol protocol, TrafficMeters traffic) {
        List<WeightedTarget> targets = route.targets() == null ? List.of() : List.copyOf(route.targets());
        List<TrafficMeter> meters = targets.stream()
                .map(t -> traffic.meter(TrafficEdge.outbound(direction, service, route.name(), t.cluster(), protocol))).toList();
        return new RouteRuntime(route, HttpMatcher.of(route.http(), route.grpc()), new WeightedPicker(targets),
                RetryRules.of(route.retry()), targets, meters);
    }

    public Route route() {
        return route;
    }

    public HttpMatcher matcher() {
        return matcher;
    }

    public WeightedPicker picker() {
        return picker;
    }

    public RetryRules retry() {
        return retry;
    }

    public List<WeightedTarget> targets() {
        return targets;
    }

    /** Where {@code target}, one the picker returned, stands among the route's targets; -1 for another. */
    public int indexOf(WeightedTarget target) {
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i) == target) {
                return i;
            }
        }
        return -1;
    }

    /** The meter of {@code target}, one the picker returned. */
    public TrafficMeter meter(WeightedTarget target) {
        return meter(indexOf(target));
    }

    /** The meter of the target at {@code index} (from {@link #indexOf}), or none for -1. */
    public TrafficMeter meter(int index) {
        return index < 0 ? TrafficMeter.NONE : meters.get(index);
    }

    /** The decision routing kept for the target at {@code index}, or null. */
    public Object keptDecision(int index) {
        return keptDecisions[index];
    }

    /** Keeps {@code decision} for the target at {@code index}, in place of the one kept before. */
    public void keepDecision(int index, Object decision) {
        keptDecisions[index] = decision;
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
