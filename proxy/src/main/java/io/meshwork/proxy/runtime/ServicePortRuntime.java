package io.meshwork.proxy.runtime;

import java.util.List;

/** One port of a virtual service and its routes in order. */
public record ServicePortRuntime(int port, String protocol, List<RouteRuntime> routes) {
}
