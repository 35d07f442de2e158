package io.meshwork.controlapi.api;

import io.meshwork.controlapi.auth.Authenticator;
import io.meshwork.controlapi.auth.Authorizer;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.cloudmap.CloudMapSync;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.Map;

/** Operators: whether this replica polls Cloud Map, when it last did, what it could not read, how many calls it made. */
@Controller("/meshwork/v1/cloudmap")
@ExecuteOn(TaskExecutors.BLOCKING)
final class CloudMapController {
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final CloudMapSync sync;
    private final ResourceArn arns;

    CloudMapController(Authenticator authenticator, Authorizer authorizer, @Nullable CloudMapSync sync, ControlApiSettings settings) {
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.sync = sync;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
    }

    @Get
    HttpResponse<byte[]> status(HttpRequest<?> request) {
        AccessKey caller = authenticator.authenticate(request, null);
        request.setAttribute(AppMeshApi.CALLER_ATTRIBUTE, caller.accessKeyId());
        authorizer.check(caller, "meshwork:GetCloudMapStatus", arns.prefix() + "mesh/*");
        Map<String, Object> status = sync == null ? Map.of("enabled", false) : sync.status();
        return AppMeshApi.ok(StrictJson.mapper().valueToTree(status));
    }
}
