package io.meshwork.controlapi.api;

import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Gives every request an id, echoes it in {@code x-amzn-RequestId} (where AWS clients look
 * for it) and logs one line per request: method, path, status, error type, caller, time.
 * Query strings and bodies are never logged.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(RequestLogFilter.ORDER)
final class RequestLogFilter {
    /** First in, last out: every answer, a refused signature included, gets its id and its log line. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE;
    static final String REQUEST_ID_HEADER = "x-amzn-RequestId";
    private static final String ID = "meshwork.requestId";
    private static final String STARTED = "meshwork.startedNanos";
    private static final Logger ACCESS = LoggerFactory.getLogger("meshwork.access");

    @RequestFilter
    void start(HttpRequest<?> request) {
        request.setAttribute(ID, UUID.randomUUID().toString());
        request.setAttribute(STARTED, System.nanoTime());
    }

    @ResponseFilter
    void finish(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String id = request.getAttribute(ID, String.class).orElseGet(() -> UUID.randomUUID().toString());
        response.header(REQUEST_ID_HEADER, id);
        long started = request.getAttribute(STARTED, Long.class).orElse(System.nanoTime());
        if (ACCESS.isInfoEnabled() && !"/health".equals(request.getPath())) {
            ACCESS.info("request_id={} method={} path={} status={} error={} caller={} millis={}", id,
                    request.getMethodName(), request.getPath(), response.code(),
                    response.getHeaders().get("x-amzn-ErrorType") == null ? "-" : response.getHeaders().get("x-amzn-ErrorType"),
                    AuthenticationFilter.callerId(request),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }
}
