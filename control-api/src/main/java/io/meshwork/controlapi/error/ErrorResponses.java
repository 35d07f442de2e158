package io.meshwork.controlapi.error;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.model.StrictJson;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/**
 * Writes an error the way restJson1 clients parse it: the status, the shape name in
 * {@code x-amzn-ErrorType} and a body {@code {"message": ...}}.
 */
public final class ErrorResponses {
    public static final String ERROR_TYPE_HEADER = "x-amzn-ErrorType";

    private ErrorResponses() {
    }

    public static MutableHttpResponse<byte[]> of(AppMeshErrorType type, String message) {
        ObjectNode body = StrictJson.mapper().createObjectNode();
        body.put("message", message);
        return HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.valueOf(type.httpStatus()))
                .header(ERROR_TYPE_HEADER, type.shapeName())
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(StrictJson.bytes(body));
    }
}
