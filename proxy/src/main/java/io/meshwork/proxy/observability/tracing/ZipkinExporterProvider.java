package io.meshwork.proxy.observability.tracing;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * {@code OTEL_TRACES_EXPORTER=zipkin} with {@code OTEL_EXPORTER_ZIPKIN_ENDPOINT}
 * (default {@code http://localhost:9411/api/v2/spans}), the standard names, served by our exporter.
 */
public final class ZipkinExporterProvider implements ConfigurableSpanExporterProvider {
    @Override
    public SpanExporter createExporter(ConfigProperties config) {
        return ZipkinSpanExporter.create(config.getString("otel.exporter.zipkin.endpoint", "http://localhost:9411/api/v2/spans"));
    }

    @Override
    public String getName() {
        return "zipkin";
    }
}
