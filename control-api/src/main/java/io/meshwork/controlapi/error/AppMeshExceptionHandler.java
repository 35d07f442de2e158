package io.meshwork.controlapi.error;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Answers every AppMeshException with its error shape. */
@Singleton
final class AppMeshExceptionHandler implements ExceptionHandler<AppMeshException, HttpResponse<?>> {
    @Override
    public HttpResponse<?> handle(HttpRequest request, AppMeshException exception) {
        return ErrorResponses.of(exception.type(), exception.getMessage());
    }
}
