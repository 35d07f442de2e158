package io.meshwork.proxy.routing;

import io.meshwork.proxy.routing.match.RequestView;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.observability.TrafficEdge;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.TrafficMeters;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.GatewayRouteRuntime;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.runtime.ServiceRuntime;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxyapi.GatewayRoute;
import io.meshwork.proxyapi.Rewrite;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Ingress through a virtual gateway: the first gateway route that matches (hostname, path,
 * headers, ...) names a virtual service; the path and Host are rewritten as App Mesh did (the
 * matched prefix becomes {@code /}, Host becomes the service name) and the service's own
 * routes take it from there.
 */
public final class GatewayRouting implements RequestRouting {
    private final ActiveConfig config;
    private final ClusterRegistry clusters;
    private final int listenerPort;
    private final TrafficMeter unrouted;

    public GatewayRouting(ActiveConfig config, ClusterRegistry clusters, int listenerPort, TrafficMeters traffic) {
        this.config = config;
        this.clusters = clusters;
        this.listenerPort = listenerPort;
        this.unrouted = traffic.meter(TrafficEdge.unrouted(TrafficEdge.GATEWAY));
    }

    @Override
    public RouteDecision route(HttpRequest request) {
        RuntimeConfig current = config.get();
        Authority authority = Authority.of(request);
        String target = Authority.originForm(request);
        RequestView view = RequestView.of(request, target, "http");
        for (GatewayRouteRuntime g : current.gatewayRoutes()) {
            GatewayRoute route = g.route();
            Integer port = route.http() != null ? route.http().port() : route.grpc() != null ? route.grpc().port() : null;
            if ((port != null && port != listenerPort) || !g.matcher().matches(view, authority.host())) {
                continue;
            }
            ServiceRuntime service = current.service(route.targetService());
            if (service == null) {
                return new RouteDecision.Reject(503, ResponseFlag.NO_ROUTE, "gateway route " + route.name() + " targets "
                        + route.targetService() + ", which this gateway cannot reach");
            }
            String path = rewritePath(route, view.path(), target.substring(view.path().length()));
            Rewrite rewrite = route.rewrite();
            String host = rewrite != null && rewrite.hostnameDisabled() ? null : route.targetService();
            RequestView rewritten = RequestView.of(request, path, "http");
            return ServiceRouting.route(service, route.targetPort(), rewritten, route.targetService(), clusters, path, host);
        }
        return new RouteDecision.Reject(404, ResponseFlag.NO_ROUTE, "no gateway route matches " + authority.host() + " " + view.path());
    }

    /** App Mesh's default: the matched prefix becomes "/"; a custom prefix or an exact path replace it. */
    static String rewritePath(GatewayRoute route, String path, String queryPart) {
        Rewrite rewrite = route.rewrite();
        if (route.http() == null) {
            return path + queryPart;
        }
        if (route.http().pathExact() != null) {
            return (rewrite != null && rewrite.path() != null ? rewrite.path() : path) + queryPart;
        }
        String prefix = route.http().prefix();
        if (prefix == null || (rewrite != null && rewrite.prefixDisabled())) {
            return path + queryPart;
        }
        String replacement = rewrite != null && rewrite.prefix() != null ? rewrite.prefix() : "/";
        String rest = path.substring(prefix.length());
        String joined = replacement.endsWith("/") && rest.startsWith("/") ? replacement + rest.substring(1) : replacement + rest;
        return joined + queryPart;
    }

    @Override
    public String direction() {
        return TrafficEdge.GATEWAY;
    }

    @Override
    public TrafficMeter unrouted() {
        return unrouted;
    }
}
