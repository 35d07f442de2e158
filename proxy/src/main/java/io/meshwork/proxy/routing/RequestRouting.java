package io.meshwork.proxy.routing;

import io.meshwork.proxy.observability.TrafficMeter;
import io.netty.handler.codec.http.HttpRequest;

/** Decides where a request that arrived on one listener goes. */
public interface RequestRouting {
    RouteDecision route(HttpRequest request);

    /** The direction for stats and logs: {@code ingress}, {@code egress} or {@code gateway}. */
    String direction();

    /** Counts the requests this listener answers itself because nothing matched them (no service, port or route). */
    default TrafficMeter unrouted() {
        return TrafficMeter.NONE;
    }
}
