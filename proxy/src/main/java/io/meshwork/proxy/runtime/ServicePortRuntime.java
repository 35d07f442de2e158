package io.meshwork.proxy.runtime;

import io.meshwork.proxy.observability.TrafficMeter;
import io.meshwork.proxyapi.Protocol;
import java.util.List;

/** One port of a virtual service, its routes in order, and the meter of requests none of them matches. */
public record ServicePortRuntime(int port, Protocol protocol, List<RouteRuntime> routes, TrafficMeter unrouted) {
}
