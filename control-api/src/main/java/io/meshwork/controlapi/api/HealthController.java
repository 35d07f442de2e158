package io.meshwork.controlapi.api;

import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.store.Database;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * {@code GET /health}: unauthenticated, for load balancers and orchestrators. 200 when the
 * store answers, 503 otherwise. It reveals nothing about the mesh.
 */
@Controller("/health")
@ExecuteOn(TaskExecutors.BLOCKING)
final class HealthController {
    private final Database database;

    HealthController(Database database) {
        this.database = database;
    }

    @Get
    HttpResponse<byte[]> health() {
        boolean up = database.isReachable();
        var body = StrictJson.mapper().createObjectNode().put("status", up ? "UP" : "DOWN");
        return HttpResponse.<byte[]>status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(MediaType.APPLICATION_JSON_TYPE).body(StrictJson.bytes(body));
    }
}
