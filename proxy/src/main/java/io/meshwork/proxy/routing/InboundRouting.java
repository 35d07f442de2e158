package io.meshwork.proxy.routing;

import io.meshwork.proxy.observability.ResponseFlag;
import io.meshwork.proxy.observability.TrafficEdge;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.TrafficMeters;
import io.meshwork.proxy.resilience.ConnectionPools;
import io.meshwork.proxy.resilience.RetryRules;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.Protocol;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;

/** Traffic for the local app: everything arriving on a listener goes to the app on the same port. */
public final class InboundRouting implements RequestRouting {
    private final ActiveConfig config;
    private final InetSocketAddress app;
    private final Upstream upstream;
    private final ConnectionPools pools;
    private final TrafficMeters traffic;
    private final String route;
    /** The listener's meter, for the protocol it has now (a new configuration may change it). */
    private volatile TrafficMeter meter;

    public InboundRouting(ActiveConfig config, InetSocketAddress app, ConnectionPools pools, TrafficMeters traffic) {
        this.config = config;
        this.app = app;
        this.upstream = Upstream.fixed("local_app", app);
        this.pools = pools;
        this.traffic = traffic;
        this.route = "ingress_" + app.getPort();
        this.meter = traffic.meter(TrafficEdge.inbound(app.getPort(), Protocol.HTTP));
    }

    @Override
    public RouteDecision route(HttpRequest request) {
        Listener listener = config.get().listener(app.getPort());
        if (listener == null) {
            return new RouteDecision.Reject(503, ResponseFlag.NO_ROUTE, "listener " + app.getPort() + " was removed from the configuration");
        }
        // The listener's timeouts act here, in the receiving proxy, as in App Mesh.
        long timeout = listener.timeout() != null && listener.timeout().perRequestMillis() != null
                ? listener.timeout().perRequestMillis() : RouteDecision.DEFAULT_TIMEOUT_MILLIS;
        long idle = listener.timeout() != null && listener.timeout().idleMillis() != null ? listener.timeout().idleMillis() : 0;
        return new RouteDecision.Forward(upstream, listener.protocol(), route, timeout, idle,
                RetryRules.NONE, pools.get(app.getPort()), null, null, null, meter(listener.protocol()));
    }

    private TrafficMeter meter(Protocol protocol) {
        TrafficMeter current = meter;
        if (current.edge().protocol() != protocol) {
            current = traffic.meter(TrafficEdge.inbound(app.getPort(), protocol));
            meter = current;
        }
        return current;
    }

    @Override
    public String direction() {
        return TrafficEdge.INGRESS;
    }

    @Override
    public TrafficMeter unrouted() {
        return meter;
    }
}
