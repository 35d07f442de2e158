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
import io.meshwork.proxyapi.WeightedTarget;

import java.util.List;


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
            TrafficMeter meter = route.meter(target);
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
            return new RouteDecision.Forward(cluster.port(target.port()), protocol, route.route().name(),
                    route.timeoutMillis(RouteDecision.DEFAULT_TIMEOUT_MILLIS), route.idleMillis(), route.retry(), null, path,
                    authority, tls == null || tls.context() == null ? null : tls, meter);
        }
        return new RouteDecision.Reject(404, ResponseFlag.NO_ROUTE, "no route of " + service.name() + ":" + servicePort.port()
                + " matches " + request.method() + " " + request.path(), servicePort.unrouted());
    }
}
