package io.meshwork.controlapi.api;

import io.meshwork.controlapi.auth.DashboardSessions;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.model.StrictJson;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.math.BigDecimal;

/**
 * Day-2 operations, read-only and signed like every call: {@code GET /meshwork/v1/status}
 * ({@code meshwork:GetStatus}), {@code GET /meshwork/v1/meshes/{mesh}/overview}
 * ({@code meshwork:GetMeshOverview} on the mesh), and {@code POST /meshwork/v1/dashboard-sessions}
 * ({@code meshwork:CreateDashboardSession}), a one-time sign-in token for the dashboard that acts
 * as the caller. {@code bin/meshwork} and the dashboard read these.
 */
@Controller("/meshwork/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ObservabilityController {
    private final ObservabilityViews views;
    private final DashboardSessions dashboard;

    ObservabilityController(ObservabilityViews views, DashboardSessions dashboard) {
        this.views = views;
        this.dashboard = dashboard;
    }

    @Get("/status")
    HttpResponse<byte[]> status(HttpRequest<?> request) {
        return AppMeshApi.ok(views.status(AuthenticationFilter.caller(request)));
    }

    @Get("/meshes/{mesh}/overview")
    HttpResponse<byte[]> overview(HttpRequest<?> request, String mesh) {
        return AppMeshApi.ok(views.overview(AuthenticationFilter.caller(request), mesh));
    }

    /** A sign-in token for the dashboard, good once within a minute: {@code GET /dashboard/sign-in?token=...}. */
    @Post("/dashboard-sessions")
    HttpResponse<byte[]> signIn(HttpRequest<?> request, @Nullable @Body byte[] body) {
        if (body != null && body.length > 0) {
            StrictJson.parseObject(body); // nothing to say, but what is said must be JSON
        }
        AccessKey caller = AuthenticationFilter.caller(request);
        views.authorizeDashboard(caller);
        String token = dashboard.signIn(caller, request.getHeaders().get("x-amz-security-token"));
        return AppMeshApi.ok(StrictJson.mapper().createObjectNode().put("token", token)
                .put("signInPath", DashboardController.SIGN_IN_PATH + "?token=" + token)
                .put("expiresInSeconds", BigDecimal.valueOf(dashboard.signInLifetime().toMillis(), 3)));
    }
}
