package io.meshwork.proxy.runtime;

import io.meshwork.proxy.routing.match.HttpMatcher;
import io.meshwork.proxyapi.GatewayRoute;

/** A gateway route ready to match. */
public record GatewayRouteRuntime(GatewayRoute route, HttpMatcher matcher) {
}
