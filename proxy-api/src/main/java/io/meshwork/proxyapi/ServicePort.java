package io.meshwork.proxyapi;

import java.util.List;

/** One port of a virtual service with its protocol and its routes, first match wins. */
public record ServicePort(int port, Protocol protocol, List<Route> routes) {
}
