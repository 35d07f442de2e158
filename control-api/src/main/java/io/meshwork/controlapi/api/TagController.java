package io.meshwork.controlapi.api;

import io.meshwork.controlapi.tag.TagService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.Map;

/** TagResource, UntagResource and ListTagsForResource. */
@Controller("/v20190125")
@ExecuteOn(TaskExecutors.BLOCKING)
final class TagController {
    private final AppMeshApi api;
    private final TagService tags;

    TagController(AppMeshApi api, TagService tags) {
        this.api = api;
        this.tags = tags;
    }

    @Put("/tag")
    HttpResponse<byte[]> tag(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return api.call(request, body, "TagResource", Map.of(), AuthTarget.resourceArnParameter(), tags::tag);
    }

    @Put("/untag")
    HttpResponse<byte[]> untag(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return api.call(request, body, "UntagResource", Map.of(), AuthTarget.resourceArnParameter(), tags::untag);
    }

    @Get("/tags")
    HttpResponse<byte[]> list(HttpRequest<?> request) {
        return api.call(request, null, "ListTagsForResource", Map.of(), AuthTarget.resourceArnParameter(), tags::list);
    }
}
