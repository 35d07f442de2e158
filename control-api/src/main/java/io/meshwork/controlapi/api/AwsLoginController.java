package io.meshwork.controlapi.api;

import io.meshwork.controlapi.auth.aws.AwsLogins;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.proxyapi.AwsLogin;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * AWS logins (not part of App Mesh): {@code GET} names the STS endpoint and region to sign for;
 * {@code POST} exchanges a signed sts:GetCallerIdentity request for Meshwork session
 * credentials. Neither is SigV4-signed to the control API (the caller holds no Meshwork secret
 * yet): the POST proves who calls through STS ({@link AwsLogins}), and the GET tells nothing a
 * caller could not learn from the control API's configuration.
 */
@Controller(AwsLogin.PATH)
@ExecuteOn(TaskExecutors.BLOCKING)
final class AwsLoginController {
    private final AwsLogins logins;

    AwsLoginController(AwsLogins logins) {
        this.logins = logins;
    }

    @Get
    HttpResponse<byte[]> parameters() {
        return AppMeshApi.ok(StrictJson.mapper().valueToTree(logins.parameters()));
    }

    @Post
    HttpResponse<byte[]> login(@Nullable @Body byte[] body) {
        return AppMeshApi.ok(StrictJson.mapper().valueToTree(logins.login(StrictJson.parse(body, AwsLogin.class))));
    }
}
