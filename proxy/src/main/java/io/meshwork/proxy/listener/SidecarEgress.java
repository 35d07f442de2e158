package io.meshwork.proxy.listener;

import io.meshwork.proxy.capture.OriginalDestination;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxyapi.Protocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

import java.net.InetSocketAddress;

/**
 * Sidecar mode's egress port: iptables sends every outbound TCP connection of the app here
 * (→ 15001). Each connection is handled by where the app was connecting (its original
 * destination), as App Mesh's Envoy chose a filter chain by destination port:
 * <ul>
 *   <li>a port where a backend virtual service has a TCP listener: relayed along that service's route;</li>
 *   <li>a port where backends speak HTTP, HTTP/2 or gRPC: routed by Host/authority; a Host that
 *       is no backend goes on to the original destination if the egress filter allows it;</li>
 *   <li>any other destination: passed through unchanged under ALLOW_ALL; under DROP_ALL only
 *       AWS endpoints ({@code *.amazonaws.com}, by TLS server name or Host) get through.</li>
 * </ul>
 * A connection made to the egress port directly (the app uses it as its HTTP proxy) is HTTP
 * routed by Host.
 */
final class SidecarEgress extends ChannelInitializer<Channel> {
    /** The pipelines one outbound connection can get. */
    interface Pipelines {
        /** HTTP routed by Host; {@code destination} is where a Host that is no backend goes on to (null: to the Host). */
        ChannelHandler http(InetSocketAddress destination);

        /** A TCP relay along the route of {@code service}'s listener on {@code port}. */
        ChannelHandler tcpRoute(String service, int port);

        /** Bytes relayed unchanged to {@code destination}. */
        ChannelHandler passthrough(InetSocketAddress destination);

        /** DROP_ALL: only AWS endpoints get through to {@code destination}. */
        ChannelHandler awsEndpointsOnly(InetSocketAddress destination);
    }

    private final ActiveConfig active;
    private final Pipelines pipelines;

    SidecarEgress(ActiveConfig active, Pipelines pipelines) {
        this.active = active;
        this.pipelines = pipelines;
    }

    @Override
    protected void initChannel(Channel ch) {
        InetSocketAddress destination = OriginalDestination.of(ch);
        ch.pipeline().addLast(choose(active.get(), destination));
    }

    ChannelHandler choose(RuntimeConfig config, InetSocketAddress destination) {
        if (destination == null) {
            return pipelines.http(null);
        }
        RuntimeConfig.BackendPort backend = config.backendPort(destination.getPort());
        if (backend != null && backend.protocol() == Protocol.TCP) {
            return pipelines.tcpRoute(backend.tcpService(), destination.getPort());
        }
        if (backend != null) {
            return pipelines.http(destination);
        }
        return config.egressAllowAll() ? pipelines.passthrough(destination) : pipelines.awsEndpointsOnly(destination);
    }
}
