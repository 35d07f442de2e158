package io.meshwork.proxy.http;

import io.meshwork.proxy.observability.ExchangeObserver;
import io.meshwork.proxy.observability.tracing.ProxyTracing;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.routing.RequestRouting;
import io.meshwork.proxy.upstream.UpstreamConnectors;

/**
 * What every exchange on one listener uses: where its requests go, where its upstream
 * connections come from, who hears of each finished exchange, who hears of retries,
 * overflows and the like, and the tracer (null when tracing is off).
 */
public record RequestPath(RequestRouting routing, UpstreamConnectors connectors, ExchangeObserver observer,
                          ResilienceEvents events, ProxyTracing tracing) {
    public RequestPath(RequestRouting routing, UpstreamConnectors connectors, ExchangeObserver observer, ResilienceEvents events) {
        this(routing, connectors, observer, events, null);
    }
}
