package io.meshwork.proxy.runtime;

import io.meshwork.proxy.observability.TrafficEdge;
import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxy.observability.TrafficMeters;
import io.meshwork.proxy.routing.match.HttpMatcher;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.Route;
import io.meshwork.proxyapi.ServicePort;
import io.meshwork.proxyapi.VirtualService;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A snapshot compiled for the request path: services by name, routes with their matchers,
 * listeners by port. Immutable; a new snapshot builds a new one and swaps it in whole.
 */
public final class RuntimeConfig {
    private final ProxySnapshot snapshot;
    private final byte[] json;
    private final Map<String, ServiceRuntime> services;
    private final Map<Integer, Listener> listeners;
    private final List<GatewayRouteRuntime> gatewayRoutes;
    private final Map<Integer, BackendPort> backendPorts;

    /**
     * What a port of the backends means to traffic the app sends to it: TCP to the service that
     * has a TCP listener there (the first by name, if several do), else HTTP to route by Host.
     */
    public record BackendPort(Protocol protocol, String tcpService) {
    }

    private RuntimeConfig(ProxySnapshot snapshot, byte[] json, Map<String, ServiceRuntime> services,
                          Map<Integer, Listener> listeners, List<GatewayRouteRuntime> gatewayRoutes) {
        this.snapshot = snapshot;
        this.json = json;
        this.services = services;
        this.listeners = listeners;
        this.gatewayRoutes = gatewayRoutes;
        this.backendPorts = backendPorts(services);
    }

    private static Map<Integer, BackendPort> backendPorts(Map<String, ServiceRuntime> services) {
        Map<Integer, BackendPort> out = new HashMap<>();
        services.values().stream().sorted(java.util.Comparator.comparing(ServiceRuntime::name)).forEach(service ->
                service.ports().values().forEach(p -> {
                    BackendPort existing = out.get(p.port());
                    if (p.protocol() == Protocol.TCP && (existing == null || existing.protocol() != Protocol.TCP)) {
                        out.put(p.port(), new BackendPort(Protocol.TCP, service.name()));
                    } else if (existing == null) {
                        out.put(p.port(), new BackendPort(p.protocol(), null));
                    }
                }));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Compiles a snapshot, resolving the traffic meter of every route target from {@code traffic};
     * throws IllegalArgumentException when it cannot be applied (e.g. a bad regex).
     */
    public static RuntimeConfig of(ProxySnapshot snapshot, byte[] json, TrafficMeters traffic) {
        Map<String, ServiceRuntime> services = new HashMap<>();
        String direction = snapshot.isGateway() ? TrafficEdge.GATEWAY : TrafficEdge.EGRESS;
        if (snapshot.services() != null) {
            for (VirtualService vs : snapshot.services()) {
                Map<Integer, ServicePortRuntime> ports = new LinkedHashMap<>();
                for (ServicePort p : vs.ports()) {
                    List<RouteRuntime> routes = new ArrayList<>();
                    for (Route r : p.routes()) {
                        routes.add(RouteRuntime.of(r, direction, vs.name(), p.protocol(), traffic));
                    }
                    TrafficMeter unrouted = traffic.meter(TrafficEdge.outbound(direction, vs.name(), null, null, p.protocol()));
                    ports.put(p.port(), new ServicePortRuntime(p.port(), p.protocol(), List.copyOf(routes), unrouted));
                }
                services.put(vs.name().toLowerCase(Locale.ROOT), new ServiceRuntime(vs.name(), Collections.unmodifiableMap(ports)));
            }
        }
        Map<Integer, Listener> listeners = new LinkedHashMap<>();
        if (snapshot.listeners() != null) {
            snapshot.listeners().forEach(l -> listeners.put(l.port(), l));
        }
        List<GatewayRouteRuntime> gatewayRoutes = new ArrayList<>();
        if (snapshot.gatewayRoutes() != null) {
            snapshot.gatewayRoutes().forEach(g -> gatewayRoutes.add(new GatewayRouteRuntime(g, HttpMatcher.of(g.http(), g.grpc()))));
        }
        return new RuntimeConfig(snapshot, json, Collections.unmodifiableMap(services), Collections.unmodifiableMap(listeners),
                List.copyOf(gatewayRoutes));
    }

    public ProxySnapshot snapshot() {
        return snapshot;
    }

    public byte[] json() {
        return json;
    }

    public String version() {
        return snapshot.version();
    }

    /** A virtual service by the name a client used (case-insensitive), or null. */
    public ServiceRuntime service(String host) {
        return services.get(host);
    }

    public Listener listener(int port) {
        return listeners.get(port);
    }

    public Map<Integer, Listener> listeners() {
        return listeners;
    }

    public List<GatewayRouteRuntime> gatewayRoutes() {
        return gatewayRoutes;
    }

    /** What the backends have on {@code port}, or null when none of them listens there. */
    public BackendPort backendPort(int port) {
        return backendPorts.get(port);
    }

    public boolean egressAllowAll() {
        return "ALLOW_ALL".equals(snapshot.egressFilter());
    }
}
