package io.meshwork.controlapi.error;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/**
 * Errors raised by the HTTP layer itself (no such route, method not allowed, body too large,
 * unreadable request) leave in App Mesh's error shape too, never Micronaut's own JSON.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
final class AppMeshErrorResponseProcessor implements ErrorResponseProcessor<byte[]> {
    @Override
    public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> base) {
        int status = base.getStatus().getCode();
        String message = context.getErrors().stream().map(Error::getMessage).findFirst()
                .orElse(base.getStatus().getReason());
        if (status == 404) {
            message = "No App Mesh operation at " + context.getRequest().getMethodName() + " " + context.getRequest().getPath();
        } else if (status == 405) {
            message = "Method " + context.getRequest().getMethodName() + " is not allowed on " + context.getRequest().getPath();
        } else if (status == 413) {
            message = "The request body is larger than the control API accepts";
        }
        AppMeshErrorType type = AppMeshErrorType.forStatus(status);
        if (status >= 500) {
            message = "Internal error; the control API log has details";
        }
        MutableHttpResponse<byte[]> response = ErrorResponses.of(type, message);
        if (status != type.httpStatus()) {
            response.status(status);
        }
        return response;
    }
}
