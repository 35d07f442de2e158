package io.meshwork.proxy.listener;

import io.meshwork.proxy.capture.OriginalDestination;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxyapi.Listener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * Sidecar mode's ingress port: iptables sends inbound traffic for every app port here (App
 * Mesh's {@code APPMESH_APP_PORTS} → 15000). Each connection is served as the listener of the
 * port its caller dialled, read from the connection's original destination: that listener's
 * protocol, TLS and limits, delivered to the app at that port. A connection made to the
 * ingress port directly (not redirected) goes to the node's first listener.
 */
final class SidecarIngress extends ChannelInitializer<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarIngress.class);

    private final ActiveConfig active;
    private final Function<Listener, ChannelHandler> pipelineFor;

    /** {@code pipelineFor}: the pipeline that serves one listener (TLS, protocol, delivery to the app). */
    SidecarIngress(ActiveConfig active, Function<Listener, ChannelHandler> pipelineFor) {
        this.active = active;
        this.pipelineFor = pipelineFor;
    }

    @Override
    protected void initChannel(Channel ch) {
        RuntimeConfig config = active.get();
        InetSocketAddress dialled = OriginalDestination.of(ch);
        Listener listener = dialled == null ? first(config) : config.listener(dialled.getPort());
        if (listener == null) {
            LOG.debug("inbound connection to port {} refused: this node has no listener there", dialled == null ? "?" : dialled.getPort());
            ch.close();
            return;
        }
        ch.pipeline().addLast(pipelineFor.apply(listener));
    }

    private static Listener first(RuntimeConfig config) {
        return config.listeners().isEmpty() ? null : config.listeners().values().iterator().next();
    }
}
