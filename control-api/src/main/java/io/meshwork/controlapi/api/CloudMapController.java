package io.meshwork.controlapi.api;

import io.meshwork.cloudmap.sync.SyncResult;
import io.meshwork.controlapi.cloudmap.CloudMapState;
import io.meshwork.controlapi.cloudmap.CloudMapSync;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Cloud Map sync over HTTP. {@code GET /meshwork/v1/cloudmap}: whether this replica polls Cloud
 * Map, when it last did, what it could not read, how many calls it made. The rest is the
 * standalone syncer's protocol (bin/cloudmap-sync, for teams that keep AWS credentials away
 * from the control plane): take the lease and get the work, store results, give the lease up.
 * Signed like every call; the syncer's key needs {@code meshwork:SyncCloudMap}.
 */
@Controller("/meshwork/v1/cloudmap")
@ExecuteOn(TaskExecutors.BLOCKING)
final class CloudMapController {
    private static final Pattern HOLDER = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final String SYNC_ACTION = "meshwork:SyncCloudMap";

    private final AppMeshApi api;
    private final CloudMapSync sync;
    private final CloudMapState state;
    private final ResourceArn arns;

    CloudMapController(AppMeshApi api, @Nullable CloudMapSync sync, CloudMapState state, ControlApiSettings settings) {
        this.api = api;
        this.sync = sync;
        this.state = state;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
    }

    @Get
    HttpResponse<byte[]> status(HttpRequest<?> request) {
        authorize(request, "meshwork:GetCloudMapStatus");
        Map<String, Object> status = sync == null ? Map.of("enabled", false) : sync.status();
        return AppMeshApi.ok(StrictJson.mapper().valueToTree(status));
    }

    /** Takes or renews the lease for {@code holder} and returns the work, or {@code "leader": false}. */
    @Get("/work")
    HttpResponse<byte[]> work(HttpRequest<?> request, @QueryValue String holder, @Nullable @QueryValue Integer leaseSeconds) {
        authorize(request, SYNC_ACTION);
        int lease = leaseSeconds == null ? 10 : leaseSeconds;
        if (lease < 2 || lease > 300) {
            throw AppMeshException.badRequest("leaseSeconds must be 2 to 300, got " + lease);
        }
        return AppMeshApi.ok(StrictJson.mapper().valueToTree(state.work(holder(holder), Duration.ofSeconds(lease))));
    }

    /** Stores what the syncer found; 409 ConflictException when it no longer holds the lease. */
    @Put("/state")
    HttpResponse<byte[]> apply(HttpRequest<?> request, @QueryValue String holder, @Nullable @Body byte[] body) {
        authorize(request, SYNC_ACTION);
        StrictJson.parseObject(body); // the usual checks on size, encoding and duplicate keys
        SyncResult result;
        try {
            result = StrictJson.mapper().readValue(body, SyncResult.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw AppMeshException.badRequest("not a Cloud Map sync result: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AppMeshException.badRequest("not a Cloud Map sync result: " + e.getMessage());
        }
        try {
            state.apply(holder(holder), result);
        } catch (CloudMapState.LeaseLost e) {
            throw AppMeshException.conflict(e.getMessage());
        }
        return AppMeshApi.ok(StrictJson.mapper().createObjectNode());
    }

    @Delete("/lease")
    HttpResponse<byte[]> release(HttpRequest<?> request, @QueryValue String holder) {
        authorize(request, SYNC_ACTION);
        state.release(holder(holder));
        return AppMeshApi.ok(StrictJson.mapper().createObjectNode());
    }

    private void authorize(HttpRequest<?> request, String action) {
        api.authorize(request, action, arns.prefix() + "mesh/*");
    }

    private static String holder(String holder) {
        if (!HOLDER.matcher(holder).matches()) {
            throw AppMeshException.badRequest("holder must be 1 to 128 of [A-Za-z0-9._:-], got '" + holder + "'");
        }
        return holder;
    }
}
