package io.meshwork.proxy.observability;

import io.meshwork.proxyapi.Protocol;

/**
 * One stream of traffic the proxy counts apart: its direction, and for traffic out of the node
 * the virtual service called, the route taken and the virtual node it went to; for traffic in,
 * the listener it arrived on. What is not known (no route matched, an inbound edge has no
 * route) is null.
 *
 * @param direction      {@code ingress} (to the local app), {@code egress} (the app's calls out) or
 *                       {@code gateway} (a virtual gateway's traffic to its services)
 * @param listener       ingress: the listener's port
 * @param virtualService egress and gateway: the virtual service called, {@code passthrough} for egress the
 *                       mesh's egress filter let out
 * @param route          egress and gateway: the route taken ({@code router/route})
 * @param cluster        where requests went: a virtual node, {@code local_app} or {@code passthrough}
 * @param protocol       the listener's or the route's protocol
 */
public record TrafficEdge(String direction, Integer listener, String virtualService, String route, String cluster,
                          Protocol protocol) {
    public static final String INGRESS = "ingress";
    public static final String EGRESS = "egress";
    public static final String GATEWAY = "gateway";

    /** Traffic into the local app through the listener on {@code port}. */
    public static TrafficEdge inbound(int port, Protocol protocol) {
        return new TrafficEdge(INGRESS, port, null, null, "local_app", protocol);
    }

    /** Traffic out to {@code cluster} along {@code route} of {@code virtualService}. */
    public static TrafficEdge outbound(String direction, String virtualService, String route, String cluster, Protocol protocol) {
        return new TrafficEdge(direction, null, virtualService, route, cluster, protocol);
    }

    /** Egress to a destination outside the mesh that the egress filter let through. */
    public static TrafficEdge passthrough(Protocol protocol) {
        return new TrafficEdge(EGRESS, null, "passthrough", null, "passthrough", protocol);
    }

    /** Requests answered by the proxy because nothing matched: no service, port or route (direction only). */
    public static TrafficEdge unrouted(String direction) {
        return new TrafficEdge(direction, null, null, null, null, null);
    }

    boolean tcp() {
        return protocol == Protocol.TCP;
    }
}
