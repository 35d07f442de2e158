package io.meshwork.proxy.observability.tracing;

import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurablePropagatorProvider;

/** {@code xray} in {@code OTEL_PROPAGATORS}, the name every OpenTelemetry SDK gives X-Ray's header. */
public final class XRayPropagatorProvider implements ConfigurablePropagatorProvider {
    @Override
    public TextMapPropagator getPropagator(ConfigProperties config) {
        return XRayPropagator.INSTANCE;
    }

    @Override
    public String getName() {
        return "xray";
    }
}
