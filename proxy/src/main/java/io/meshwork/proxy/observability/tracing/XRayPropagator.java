package io.meshwork.proxy.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.util.Collection;
import java.util.List;

/**
 * The {@code X-Amzn-Trace-Id} header as X-Ray and App Mesh's Envoy wrote it:
 * {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}. The X-Ray
 * root maps one to one onto a 32-hex-digit trace id ({@link XRayIds}). A header with a Root but no
 * Parent (as a load balancer adds) names no span to be the child of, and is left alone.
 * <p>
 * Ours rather than opentelemetry-aws-xray-propagator: its newest version served here (1.52.0-alpha)
 * calls an internal API method that opentelemetry-api 1.68 no longer has (NoSuchMethodError).
 */
final class XRayPropagator implements TextMapPropagator {
    static final String HEADER = "X-Amzn-Trace-Id";
    static final XRayPropagator INSTANCE = new XRayPropagator();
    private static final List<String> FIELDS = List.of(HEADER);

    private XRayPropagator() {
    }

    @Override
    public Collection<String> fields() {
        return FIELDS;
    }

    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid() || setter == null) {
            return;
        }
        String traceId = span.getTraceId();
        setter.set(carrier, HEADER, "Root=" + XRayIds.traceId(traceId) + ";Parent=" + span.getSpanId()
                + ";Sampled=" + (span.isSampled() ? "1" : "0"));
    }

    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
        String header = getter.get(carrier, HEADER);
        if (header == null || header.isEmpty()) {
            return context;
        }
        String traceId = null;
        String parent = null;
        boolean sampled = false;
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            switch (key) {
                case "Root" -> traceId = otelTraceId(value);
                case "Parent" -> parent = SpanId.isValid(value) ? value : null;
                case "Sampled" -> sampled = value.equals("1");
                default -> {
                    // Lineage, Self and application fields are not ours to read
                }
            }
        }
        if (traceId == null || parent == null) {
            return context;
        }
        SpanContext remote = SpanContext.createFromRemoteParent(traceId, parent,
                sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
        return context.with(Span.wrap(remote));
    }

    /** {@code 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy} as 32 hex digits, or null if it is not an X-Ray root. */
    static String otelTraceId(String root) {
        if (root.length() != 35 || !root.startsWith("1-") || root.charAt(10) != '-') {
            return null;
        }
        String id = (root.substring(2, 10) + root.substring(11)).toLowerCase(java.util.Locale.ROOT);
        return TraceId.isValid(id) ? id : null;
    }

    @Override
    public String toString() {
        return "XRayPropagator";
    }
}
