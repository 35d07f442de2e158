package io.meshwork.proxy.routing;

import io.netty.handler.codec.http.HttpRequest;

/** Decides where a request that arrived on one listener goes. */
public interface RequestRouting {
    RouteDecision route(HttpRequest request);

    /** The direction for stats and logs: {@code ingress}, {@code egress} or {@code gateway}. */
    String direction();
}
