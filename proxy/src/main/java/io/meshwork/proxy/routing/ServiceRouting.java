package io.meshwork.proxy.routing;

import io.meshwork.proxy.routing.match.RequestView;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.runtime.RouteRuntime;
import io.meshwork.proxy.runtime.ServicePortRuntime;
import io.meshwork.proxy.runtime.ServiceRuntime;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxy.upstream.ClusterRuntime;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxyapi.WeightedTarget;

import java.util.List;
import java.util.Objects;


/**
 * Routes a request addressed to a virtual service: the service's port, the first route that
 * matches, a weighted target; the exchange then picks an instance of that virtual node per attempt.
 */
final class ServiceRouting {
    private ServiceRouting() {
    }

    static RouteDecision route(ServiceRuntime service, Integer port, RequestView request, String host,
                               ClusterRegistry clusters, String path, String authority) {
        ServicePortRuntime servicePort = service.port(port);
        if (servicePort == null) {
            return new RouteDecision.Reject(404, ResponseFlag.NO_ROUTE, "virtual service " + service.name() + " has no port "
                    + (port == null ? "(none given)" : port) + "; it listens on " + service.ports().keySet());
        }
        List<RouteRuntime> routes = servicePort.routes();
        for (int i = 0; i < routes.size(); i++) { // indexed: no iterator on the request path
            RouteRuntime route = routes.get(i);
            if (!route.matcher().matches(request, host)) {
                continue;
            }
            WeightedTarget target = route.picker().next();
            if (target == null) {
                return new RouteDecision.Reject(503, ResponseFlag.NO_HEALTHY_UPSTREAM, "route " + route.route().name() + " has no target with a weight",
                        servicePort.unrouted());
            }
            int index = route.indexOf(target);
            TrafficMeter meter = route.meter(index);
            ClusterRuntime cluster = clusters.get(target.cluster());
            if (cluster == null || !cluster.hasEndpoints()) {
                return new RouteDecision.Reject(503, ResponseFlag.NO_HEALTHY_UPSTREAM, "no healthy upstream: virtual node " + target.cluster()
                        + " has no endpoints", meter);
            }
            Protocol protocol = cluster.protocol(target.port());
            TlsContexts.Origination tls = null;
            try {
                if (clusters.tls() != null) {
                    tls = clusters.tls().client(target.cluster(), target.port(), protocol);
                }
            } catch (RuntimeException e) {
                return new RouteDecision.Reject(503, ResponseFlag.UPSTREAM_CONNECTION_FAILURE, "cannot open TLS to " + target.cluster() + ": "
                        + e.getMessage(), meter);
            }
            return forward(route, index, cluster.port(target.port()), protocol, path, authority,
                    tls == null || tls.context() == null ? null : tls, meter);
        }
        return new RouteDecision.Reject(404, ResponseFlag.NO_ROUTE, "no route of " + service.name() + ":" + servicePort.port()
                + " matches " + request.method() + " " + request.path(), servicePort.unrouted());
    }

    /**
     * The decision to forward to the route's target at {@code index}. A request that keeps its own
     * path (the usual case) gets the decision kept for the target when everything in it is still
     * the same, else a new one that is kept for the next request. A request with a path of its
     * own to send (a gateway's rewrite, an absolute URI) gets a new one and leaves the kept one
     * alone: those paths differ from request to request, and replacing the kept decision for each
     * would only add a write that every event loop shares. Everything else in a decision comes
     * from the route itself.
     */
    private static RouteDecision forward(RouteRuntime route, int index, Upstream upstream, Protocol protocol, String path,
                                         String authority, TlsContexts.Origination tls, TrafficMeter meter) {
        boolean keep = index >= 0 && path == null;
        if (keep && route.keptDecision(index) instanceof RouteDecision.Forward kept && kept.upstream() == upstream
                && kept.protocol() == protocol && kept.tls() == tls && Objects.equals(kept.authority(), authority)) {
            return kept;
        }
        RouteDecision.Forward made = new RouteDecision.Forward(upstream, protocol, route.route().name(),
                route.timeoutMillis(RouteDecision.DEFAULT_TIMEOUT_MILLIS), route.idleMillis(), route.retry(), null, path,
                authority, tls, meter);
        if (keep) {
            route.keepDecision(index, made);
        }
        return made;
    }
}
