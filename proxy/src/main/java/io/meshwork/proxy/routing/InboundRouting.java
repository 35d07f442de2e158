package io.meshwork.proxy.routing;

import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxyapi.Listener;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;

/** Traffic for the local app: everything arriving on a listener goes to the app on the same port. */
public final class InboundRouting implements RequestRouting {
    private final ActiveConfig config;
    private final InetSocketAddress app;

    public InboundRouting(ActiveConfig config, InetSocketAddress app) {
        this.config = config;
        this.app = app;
    }

    @Override
    public RouteDecision route(HttpRequest request) {
        Listener listener = config.get().listener(app.getPort());
        if (listener == null) {
            return new RouteDecision.Reject(503, "NR", "listener " + app.getPort() + " was removed from the configuration");
        }
        long timeout = listener.timeout() != null && listener.timeout().perRequestMillis() != null
                ? listener.timeout().perRequestMillis() : RouteDecision.DEFAULT_TIMEOUT_MILLIS;
        return new RouteDecision.Forward(app, listener.protocol(), "local_app", "ingress_" + app.getPort(), timeout, null, null);
    }

    @Override
    public String direction() {
        return "ingress";
    }
}
