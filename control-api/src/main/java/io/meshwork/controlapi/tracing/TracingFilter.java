package io.meshwork.controlapi.tracing;

import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.BasicHttpAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * A SERVER span for every API request, child of the caller's trace context (W3C
 * {@code traceparent} by default, whatever OTEL_PROPAGATORS names), named after the route it
 * matched ({@code PUT /v20190125/meshes/{meshName}}) with the App Mesh error type when it failed.
 * With tracing off it does nothing.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
final class TracingFilter {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final TextMapGetter<HttpRequest<?>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpRequest<?> carrier) {
            return carrier.getHeaders().names();
        }

        @Override
        public String get(HttpRequest<?> carrier, String key) {
            return carrier == null ? null : carrier.getHeaders().get(key);
        }
    };

    private final ControlApiTracing tracing;

    TracingFilter(ControlApiTracing tracing) {
        this.tracing = tracing;
    }

    @RequestFilter
    void start(HttpRequest<?> request) {
        if (!tracing.enabled() || "/health".equals(request.getPath())) {
            return;
        }
        Context parent = tracing.propagator().extract(Context.root(), request, HEADERS);
        Span span = tracing.tracer().spanBuilder(request.getMethodName()).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setAttribute(METHOD, request.getMethodName()).setAttribute(PATH, request.getPath()).startSpan();
        request.setAttribute(ControlApiTracing.SPAN, span);
    }

    @ResponseFilter
    void finish(HttpRequest<?> request, MutableHttpResponse<?> response) {
        Span span = request.getAttribute(ControlApiTracing.SPAN, Span.class).orElse(null);
        if (span == null) {
            return;
        }
        BasicHttpAttributes.getUriTemplate(request).ifPresent(template -> {
            span.setAttribute(ROUTE, template);
            span.updateName(request.getMethodName() + " " + template);
        });
        int status = response.code();
        span.setAttribute(STATUS, (long) status);
        String errorType = response.getHeaders().get("x-amzn-ErrorType");
        if (status >= 500 || errorType != null && status >= 400) {
            span.setAttribute(ERROR_TYPE, errorType != null ? errorType : Integer.toString(status));
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }
}
