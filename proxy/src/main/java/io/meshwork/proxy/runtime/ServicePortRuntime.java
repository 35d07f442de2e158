package io.meshwork.proxy.runtime;

import io.meshwork.proxyapi.Protocol;
import java.util.List;

/** One port of a virtual service and its routes in order. */
public record ServicePortRuntime(int port, Protocol protocol, List<RouteRuntime> routes) {
}
