package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.Authorizer;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.observe.MeshOverview;
import io.meshwork.controlapi.observe.MeshStatus;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import jakarta.inject.Singleton;

/**
 * The read-only views with their authorization, whoever asks: a signed caller or a dashboard
 * session acting as the key that opened it. One place, so both are held to the same actions.
 */
@Singleton
final class ObservabilityViews {
    static final String GET_STATUS = "meshwork:GetStatus";
    static final String GET_MESH_OVERVIEW = "meshwork:GetMeshOverview";
    static final String CREATE_DASHBOARD_SESSION = "meshwork:CreateDashboardSession";

    private final Authorizer authorizer;
    private final MeshStatus status;
    private final MeshOverview overview;
    private final ResourceArn arns;

    ObservabilityViews(Authorizer authorizer, MeshStatus status, MeshOverview overview, ControlApiSettings settings) {
        this.authorizer = authorizer;
        this.status = status;
        this.overview = overview;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
    }

    ObjectNode status(AccessKey caller) {
        authorizer.check(caller, GET_STATUS, arns.prefix() + "mesh/*");
        return status.status();
    }

    ObjectNode overview(AccessKey caller, String mesh) {
        if (!mesh.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")) {
            throw io.meshwork.controlapi.error.AppMeshException.badRequest("not a mesh name: '" + mesh + "'");
        }
        authorizer.check(caller, GET_MESH_OVERVIEW, arns.format(ResourceKey.mesh(mesh)));
        return overview.overview(mesh);
    }

    void authorizeDashboard(AccessKey caller) {
        authorizer.check(caller, CREATE_DASHBOARD_SESSION, arns.prefix() + "mesh/*");
    }
}
