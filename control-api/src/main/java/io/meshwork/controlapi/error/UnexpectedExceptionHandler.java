package io.meshwork.controlapi.error;

import io.meshwork.controlapi.store.StoreUnavailableException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line: a store outage is ServiceUnavailable (clients retry it), anything else is
 * logged with its stack and answered InternalServerError without internals in the message.
 */
@Singleton
final class UnexpectedExceptionHandler implements ExceptionHandler<RuntimeException, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, RuntimeException exception) {
        if (exception instanceof StoreUnavailableException) {
            LOG.warn("{} {}: {}", request.getMethodName(), request.getPath(), exception.getMessage());
            return ErrorResponses.of(AppMeshErrorType.SERVICE_UNAVAILABLE, "The store is unavailable, try again");
        }
        LOG.error("{} {} failed", request.getMethodName(), request.getPath(), exception);
        return ErrorResponses.of(AppMeshErrorType.INTERNAL_SERVER_ERROR, "Internal error; the control API log has details");
    }
}
