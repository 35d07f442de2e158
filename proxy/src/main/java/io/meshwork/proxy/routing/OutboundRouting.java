package io.meshwork.proxy.routing;

import io.meshwork.proxy.routing.match.RequestView;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.observability.TrafficEdge;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.TrafficMeters;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.runtime.ServiceRuntime;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.netty.handler.codec.http.HttpRequest;

import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.upstream.Upstream;

import java.net.InetSocketAddress;

/**
 * Traffic the local app sends out: addressed by virtual service name in Host (or an absolute
 * URI, as to an HTTP proxy). Hosts that are not backends go through only under the mesh's
 * ALLOW_ALL egress filter, or when they are AWS endpoints ({@code *.amazonaws.com}), which App
 * Mesh always let through: to where the app was connecting when iptables redirected it (its
 * original destination), else to the Host it named.
 */
public final class OutboundRouting implements RequestRouting {
    private final ActiveConfig config;
    private final ClusterRegistry clusters;
    private final String scheme;
    private final InetSocketAddress originalDestination;
    private final TrafficMeter passthrough;
    private final TrafficMeter unrouted;

    public OutboundRouting(ActiveConfig config, ClusterRegistry clusters, String scheme, TrafficMeters traffic) {
        this(config, clusters, scheme, null, traffic);
    }

    /** For one redirected connection: {@code originalDestination} is where the app was connecting. */
    public OutboundRouting(ActiveConfig config, ClusterRegistry clusters, String scheme, InetSocketAddress originalDestination,
                           TrafficMeters traffic) {
        this.config = config;
        this.clusters = clusters;
        this.scheme = scheme;
        this.originalDestination = originalDestination;
        this.passthrough = traffic.meter(TrafficEdge.passthrough(Protocol.HTTP));
        this.unrouted = traffic.meter(TrafficEdge.unrouted(TrafficEdge.EGRESS));
    }

    @Override
    public RouteDecision route(HttpRequest request) {
        RuntimeConfig current = config.get();
        Authority authority = Authority.of(request);
        String target = Authority.originForm(request);
        RequestView view = RequestView.reused(request, target, scheme);
        ServiceRuntime service = current.service(authority.host());
        // A Host without a port was sent to the port the app connected to (80 for a plain proxy request).
        Integer port = authority.port() != null ? authority.port() : originalDestination != null ? originalDestination.getPort() : null;
        if (service != null) {
            // The path goes upstream changed only when the request named an absolute URI.
            return ServiceRouting.route(service, port, view, authority.host(), clusters, target == request.uri() ? null : target, null);
        }
        if (authority.host().isEmpty()) {
            return new RouteDecision.Reject(400, ResponseFlag.NO_ROUTE, "request has no Host to route by");
        }
        if (current.egressAllowAll() || authority.host().endsWith(".amazonaws.com")) {
            InetSocketAddress destination = originalDestination != null ? originalDestination
                    : InetSocketAddress.createUnresolved(authority.host(), port == null ? 80 : port);
            return new RouteDecision.Forward(Upstream.fixed("passthrough", destination),
                    Protocol.HTTP, "passthrough", RouteDecision.DEFAULT_TIMEOUT_MILLIS, 0, RetryRules.NONE, null, target, null, null, passthrough);
        }
        return new RouteDecision.Reject(404, ResponseFlag.NO_ROUTE, authority.host() + " is not a backend of "
                + current.snapshot().resourceName() + " and the mesh's egress filter is DROP_ALL");
    }

    @Override
    public String direction() {
        return TrafficEdge.EGRESS;
    }

    @Override
    public TrafficMeter unrouted() {
        return unrouted;
    }
}
