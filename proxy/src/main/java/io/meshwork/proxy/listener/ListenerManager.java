package io.meshwork.proxy.listener;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.change.PreparedChange;
import io.meshwork.proxy.settings.ProxySettings;
import io.meshwork.proxy.http.RequestPath;
import io.meshwork.proxy.observability.ExchangeObserver;
import io.meshwork.proxy.observability.TrafficEdge;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.TrafficMeters;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.routing.GatewayRouting;
import io.meshwork.proxy.routing.InboundRouting;
import io.meshwork.proxy.routing.OutboundRouting;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RouteRuntime;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.resilience.ConnectionPools;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.runtime.ServicePortRuntime;
import io.meshwork.proxy.runtime.ServiceRuntime;
import io.meshwork.proxy.tcp.TcpProxyInitializer;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.tls.TlsInbound;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxy.upstream.ClusterRuntime;
import io.meshwork.proxy.upstream.Upstream;
import io.meshwork.proxy.upstream.UpstreamConnectors;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.WeightedTarget;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The listeners a configuration needs: which ports, of what kind, with which pipeline, bound and
 * unbound by {@link ListeningSockets}. Only listening sockets are closed: connections already
 * accepted keep going, so a configuration change drops neither requests in flight nor idle
 * keep-alive connections. New ports are bound before the configuration is switched; if one
 * cannot be bound the new configuration is refused whole.
 */
public final class ListenerManager {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerManager.class);

    private final ProxySettings settings;
    private final Transport transport;
    private final ActiveConfig active;
    private final ClusterRegistry clusters;
    private final UpstreamConnectors connectors;
    private final ExchangeObserver observer;
    private final TrafficMeters traffic;
    private final TrafficMeter tcpPassthrough;
    private final ResilienceEvents events;
    private final ConnectionPools pools = new ConnectionPools();
    private final ListeningSockets sockets;

    public ListenerManager(ProxySettings settings, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                           ActiveConfig active, ClusterRegistry clusters, UpstreamConnectors connectors,
                           ExchangeObserver observer, TrafficMeters traffic, ResilienceEvents events) {
        this.settings = settings;
        this.transport = transport;
        this.sockets = new ListeningSockets(transport, boss, workers);
        this.active = active;
        this.clusters = clusters;
        this.connectors = connectors;
        this.observer = observer;
        this.traffic = traffic;
        this.tcpPassthrough = traffic.meter(TrafficEdge.passthrough(Protocol.TCP));
        this.events = events;
    }

    /**
     * Binds the ports {@code next} needs that are not bound yet, without accepting on them;
     * throws IllegalStateException if one cannot be bound (nothing changed then). Committing
     * starts accepting and applies its connection limits; releasing unbinds the ports only the
     * previous configuration needed.
     */
    public PreparedChange prepare(RuntimeConfig next) {
        PreparedChange binds = sockets.prepare(specs(next));
        return new PreparedChange() {
            @Override
            public void commit() {
                pools.apply(next.listeners());
                binds.commit();
            }

            @Override
            public void releasePrevious() {
                binds.releasePrevious();
            }

            @Override
            public void abort() {
                binds.abort();
            }
        };
    }

    public void closeAll() {
        sockets.closeAll();
    }

    private Map<InetSocketAddress, ListenerSpec> specs(RuntimeConfig config) {
        Map<InetSocketAddress, ListenerSpec> out = new LinkedHashMap<>();
        String local = settings.localAddress();
        if (config.snapshot().isGateway()) {
            for (Listener l : config.listeners().values()) {
                add(out, new ListenerSpec(new InetSocketAddress(local, l.port()), "gateway:" + l.protocol(), tlsFront(l.port(),
                        HttpPipelines.detectingProtocol(path(new GatewayRouting(active, clusters, l.port(), traffic))))));
            }
            return out;
        }
        if (settings.mode() == ProxySettings.Mode.LOCAL) {
            for (Listener l : config.listeners().values()) {
                InetSocketAddress app = new InetSocketAddress(settings.appAddress(), l.port());
                add(out, new ListenerSpec(new InetSocketAddress(local, l.port()), "ingress:" + l.protocol(),
                        tlsFront(l.port(), inbound(l.protocol(), app))));
            }
            add(out, new ListenerSpec(new InetSocketAddress(local, settings.egressPort()), "egress",
                    HttpPipelines.detectingProtocol(path(new OutboundRouting(active, clusters, "http", traffic)))));
            addTcpBackends(config, out);
            return out;
        }
        // Sidecar: iptables sends inbound traffic for every app port to one ingress port and all outbound
        // TCP to one egress port; each connection is served by where it was going.
        if (!config.listeners().isEmpty()) {
            add(out, new ListenerSpec(new InetSocketAddress(local, settings.ingressPort()), "ingress:sidecar",
                    new SidecarIngress(active, l -> tlsFront(l.port(), inbound(l.protocol(),
                            new InetSocketAddress(settings.appAddress(), l.port()))))));
        }
        add(out, new ListenerSpec(new InetSocketAddress(local, settings.egressPort()), "egress:sidecar",
                new SidecarEgress(active, sidecarEgress)));
        return out;
    }

    /** What an outbound connection in sidecar mode can become, by where it was going. */
    private final SidecarEgress.Pipelines sidecarEgress = new SidecarEgress.Pipelines() {
        @Override
        public ChannelHandler http(InetSocketAddress destination) {
            return HttpPipelines.detectingProtocol(path(new OutboundRouting(active, clusters, "http", destination, traffic)));
        }

        @Override
        public ChannelHandler tcpRoute(String service, int port) {
            return new TcpProxyInitializer(ch -> tcpTarget(service, port), transport.sockets(), events);
        }

        @Override
        public ChannelHandler passthrough(InetSocketAddress destination) {
            Upstream fixed = Upstream.fixed("passthrough", destination);
            return new TcpProxyInitializer(ch -> new TcpProxyInitializer.Target(fixed, 0, null, null, tcpPassthrough),
                    transport.sockets(), events);
        }

        @Override
        public ChannelHandler awsEndpointsOnly(InetSocketAddress destination) {
            return new AwsEndpointsOnlyHandler(destination, () -> new AwsTlsPassthrough(destination, transport.sockets()),
                    () -> http(destination));
        }
    };

    /** The listener's TLS (STRICT, PERMISSIVE or none, as the configuration in force says) in front of its pipeline. */
    private ChannelHandler tlsFront(int port, ChannelHandler pipeline) {
        return clusters.tls() == null ? pipeline : new TlsInbound(port, clusters.tls(), pipeline);
    }

    private ChannelHandler inbound(Protocol protocol, InetSocketAddress app) {
        if (protocol == Protocol.TCP) {
            Upstream local = Upstream.fixed("local_app", app);
            TrafficMeter meter = traffic.meter(TrafficEdge.inbound(app.getPort(), Protocol.TCP));
            return new TcpProxyInitializer(ch -> new TcpProxyInitializer.Target(local, listenerIdleMillis(app.getPort()),
                    pools.get(app.getPort()), null, meter), transport.sockets(), events);
        }
        return HttpPipelines.detectingProtocol(path(new InboundRouting(active, app, pools, traffic)),
                () -> listenerIdleMillis(app.getPort()));
    }

    private RequestPath path(RequestRouting routing) {
        return new RequestPath(routing, connectors, observer, events);
    }

    /** The listener's idle timeout (its {@code timeout.<protocol>.idle}), 0 if it sets none. */
    private long listenerIdleMillis(int port) {
        RuntimeConfig config = active.get();
        Listener listener = config == null ? null : config.listener(port);
        return listener != null && listener.timeout() != null && listener.timeout().idleMillis() != null
                ? listener.timeout().idleMillis() : 0;
    }

    /**
     * In local mode there is no iptables to catch a TCP connection to a backend: each TCP port of
     * a backend service is bound on the proxy's address and relayed along the service's route.
     */
    private void addTcpBackends(RuntimeConfig config, Map<InetSocketAddress, ListenerSpec> out) {
        if (config.snapshot().services() == null) {
            return;
        }
        for (var vs : config.snapshot().services()) {
            ServiceRuntime service = config.service(vs.name().toLowerCase(java.util.Locale.ROOT));
            for (ServicePortRuntime port : service.ports().values()) {
                if (port.protocol() != Protocol.TCP) {
                    continue;
                }
                InetSocketAddress address = new InetSocketAddress(settings.localAddress(), port.port());
                if (out.containsKey(address)) {
                    LOG.warn("TCP backend {}:{} shares a port with this node's own listener; not bound", vs.name(), port.port());
                    continue;
                }
                String name = vs.name();
                int servicePort = port.port();
                add(out, new ListenerSpec(address, "egress-tcp:" + name, new TcpProxyInitializer(ch -> tcpTarget(name, servicePort),
                        transport.sockets(), events)));
            }
        }
    }

    private TcpProxyInitializer.Target tcpTarget(String serviceName, int port) {
        ServiceRuntime service = active.get().service(serviceName.toLowerCase(java.util.Locale.ROOT));
        ServicePortRuntime servicePort = service == null ? null : service.ports().get(port);
        if (servicePort == null || servicePort.routes().isEmpty()) {
            return null;
        }
        RouteRuntime route = servicePort.routes().get(0);
        WeightedTarget target = route.picker().next();
        ClusterRuntime cluster = target == null ? null : clusters.get(target.cluster());
        if (cluster == null) {
            return null;
        }
        TlsContexts.Origination tls = clusters.tls() == null ? null : clusters.tls().client(target.cluster(), target.port(), Protocol.TCP);
        return new TcpProxyInitializer.Target(cluster.port(target.port()), route.idleMillis(), null,
                tls == null || tls.context() == null ? null : tls, route.meter(target));
    }

    private static void add(Map<InetSocketAddress, ListenerSpec> out, ListenerSpec spec) {
        out.putIfAbsent(spec.address(), spec);
    }
}
