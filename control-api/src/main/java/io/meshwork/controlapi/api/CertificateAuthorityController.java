package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.ca.MeshCertificateAuthority;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.distribution.SnapshotCache;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.meshwork.controlapi.store.CaStore;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ResourceStore;
import io.meshwork.controlapi.store.StoredResource;
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
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Operators: the certificate authorities (never their keys), and CA rotation.
 * {@code POST /rotate {"mesh": M}} (or {@code {"root": true}}) makes a new CA active while the
 * previous one stays trusted; {@code POST /retire {"mesh": M | "root": true, "generation": N}}
 * ends the overlap. A root rotation changes the trust bundle, which reaches every proxy with its
 * next snapshot; proxies renew their certificates as soon as the bundle changes.
 */
@Controller("/meshwork/v1/certificate-authorities")
@ExecuteOn(TaskExecutors.BLOCKING)
final class CertificateAuthorityController {
    private final AppMeshApi api;
    private final MeshCertificateAuthority ca;
    private final ResourceArn arns;
    private final Database database;
    private final ResourceStore resources;
    private final ChangeLog changeLog;
    private final SnapshotCache snapshots;
    private final Clock clock;

    CertificateAuthorityController(AppMeshApi api, MeshCertificateAuthority ca, ControlApiSettings settings, Database database,
                                   ResourceStore resources, ChangeLog changeLog, SnapshotCache snapshots, Clock clock) {
        this.api = api;
        this.ca = ca;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
        this.database = database;
        this.resources = resources;
        this.changeLog = changeLog;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request) {
        authorize(request, "meshwork:ListCertificateAuthorities", null);
        return AppMeshApi.ok(listing());
    }

    private ObjectNode listing() {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        ArrayNode list = out.putArray("certificateAuthorities");
        for (CaStore.CaRow row : ca.list()) {
            X509Certificate cert = MeshCertificateAuthority.parse(row.certificatePem());
            ObjectNode o = list.addObject();
            if (CaStore.ROOT.equals(row.mesh())) {
                o.put("root", true);
            } else {
                o.put("mesh", row.mesh());
            }
            o.put("generation", row.generation());
            o.put("state", row.state());
            o.put("keyAlgorithm", row.keyAlgorithm());
            o.put("subject", cert.getSubjectX500Principal().getName());
            o.put("serial", cert.getSerialNumber().toString(16));
            o.put("notAfter", BigDecimal.valueOf(row.notAfter(), 3));
            o.put("certificate", row.certificatePem());
        }
        ArrayNode pcas = out.putArray("privateCertificateAuthorities");
        ca.privateCas().forEach((mesh, arn) -> pcas.addObject().put("mesh", mesh).put("certificateAuthorityArn", arn));
        return out;
    }

    @Post("/rotate")
    HttpResponse<byte[]> rotate(HttpRequest<?> request, @Nullable @Body byte[] body) {
        ObjectNode input = StrictJson.parseObject(body);
        String mesh = target(input);
        authorize(request, "meshwork:RotateCertificateAuthority", mesh);
        ca.rotate(mesh);
        if (CaStore.ROOT.equals(mesh)) {
            republishTrustBundle();
        }
        return AppMeshApi.ok(listing());
    }

    /**
     * {@code PUT /private-ca {"mesh": M, "certificateAuthorityArn": ARN}}: the mesh's certificates come
     * from AWS Private CA from now on (null ARN: from Meshwork's CA again). The CA must answer.
     */
    @io.micronaut.http.annotation.Put("/private-ca")
    HttpResponse<byte[]> privateCa(HttpRequest<?> request, @Nullable @Body byte[] body) {
        ObjectNode input = StrictJson.parseObject(body);
        String mesh = target(input);
        if (CaStore.ROOT.equals(mesh)) {
            throw AppMeshException.badRequest("AWS Private CA is set per mesh: name a 'mesh'");
        }
        authorize(request, "meshwork:RotateCertificateAuthority", mesh);
        String arn = input.path("certificateAuthorityArn").isTextual() ? input.path("certificateAuthorityArn").asText() : null;
        if (arn != null && !PCA_ARN.matcher(arn).matches()) {
            throw AppMeshException.badRequest("'certificateAuthorityArn' must be an AWS Private CA ARN"
                    + " (arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID), got '" + arn + "'");
        }
        try {
            ca.usePrivateCa(mesh, arn);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AppMeshException.badRequest("AWS Private CA " + arn + " cannot be used: " + e.getMessage());
        }
        database.inTransaction(tx -> {
            changeLog.append(tx, mesh, clock.millis());
            return null;
        });
        snapshots.meshChanged(mesh);
        return AppMeshApi.ok(listing());
    }

    private static final java.util.regex.Pattern PCA_ARN =
            java.util.regex.Pattern.compile("arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\\d{12}:certificate-authority/[A-Za-z0-9-]+");

    @Post("/retire")
    HttpResponse<byte[]> retire(HttpRequest<?> request, @Nullable @Body byte[] body) {
        ObjectNode input = StrictJson.parseObject(body);
        String mesh = target(input);
        authorize(request, "meshwork:RotateCertificateAuthority", mesh);
        if (!input.path("generation").canConvertToInt()) {
            throw AppMeshException.badRequest("'generation' (the CA generation to retire) is required");
        }
        if (!ca.retire(mesh, input.path("generation").asInt())) {
            throw AppMeshException.badRequest("generation " + input.path("generation").asInt() + " of "
                    + (CaStore.ROOT.equals(mesh) ? "the root" : "mesh " + mesh) + " is not being rotated out (not RETIRING)");
        }
        if (CaStore.ROOT.equals(mesh)) {
            republishTrustBundle();
        }
        return AppMeshApi.ok(listing());
    }

    private String target(ObjectNode input) {
        if (input.path("root").asBoolean(false)) {
            return CaStore.ROOT;
        }
        String mesh = input.path("mesh").asText("");
        if (mesh.isEmpty() || CaStore.ROOT.equals(mesh)) {
            throw AppMeshException.badRequest("name a 'mesh', or set \"root\": true");
        }
        return mesh;
    }

    /** Every mesh recompiles so that proxies get the new trust bundle (through every replica). */
    private void republishTrustBundle() {
        List<String> meshes = new ArrayList<>();
        database.inTransaction(tx -> {
            for (StoredResource m : resources.allOfKindContaining(tx, ResourceKind.MESH, "")) {
                meshes.add(m.key().name());
                changeLog.append(tx, m.key().name(), clock.millis());
            }
            return null;
        });
        meshes.forEach(snapshots::meshChanged);
    }

    private void authorize(HttpRequest<?> request, String action, String mesh) {
        api.authorize(request, action, mesh == null || CaStore.ROOT.equals(mesh) ? arns.prefix() + "mesh/*"
                : arns.format(io.meshwork.controlapi.resource.ResourceKey.mesh(mesh)));
    }
}
