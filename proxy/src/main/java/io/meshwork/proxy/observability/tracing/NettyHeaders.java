package io.meshwork.proxy.observability.tracing;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/** Netty's headers (case-insensitive already) as a propagator reads and writes them. */
final class NettyHeaders implements TextMapGetter<HttpHeaders>, TextMapSetter<HttpHeaders> {
    static final NettyHeaders INSTANCE = new NettyHeaders();

    private NettyHeaders() {
    }

    @Override
    public Iterable<String> keys(HttpHeaders carrier) {
        return carrier.names();
    }

    @Override
    public String get(HttpHeaders carrier, String key) {
        return carrier == null ? null : carrier.get(key);
    }

    @Override
    public void set(HttpHeaders carrier, String key, String value) {
        if (carrier != null) {
            carrier.set(key, value);
        }
    }
}
