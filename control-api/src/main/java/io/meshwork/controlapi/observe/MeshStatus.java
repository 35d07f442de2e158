package io.meshwork.controlapi.observe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.ca.MeshCertificateAuthority;
import io.meshwork.controlapi.cloudmap.CloudMapState;
import io.meshwork.controlapi.cloudmap.CloudMapSync;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.store.CaStore;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ProxyStore;
import io.meshwork.controlapi.store.ResourceStore;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code GET /meshwork/v1/status}: is the control plane healthy? The control API's version, its
 * store, its certificate authorities and the certificates it issued, Cloud Map sync, and a
 * summary of the connected proxies. Each part says what it found; {@code meshwork check}
 * judges it.
 */
@Singleton
public final class MeshStatus {
    private static final String VERSION = readVersion();
    private static final int MAX_MESHES = 1000;

    private final Database database;
    private final ResourceStore resources;
    private final ProxyStore proxies;
    private final CaStore certificates;
    private final MeshCertificateAuthority ca;
    private final CloudMapState cloudMapState;
    private final CloudMapSync cloudMapSync;
    private final MeshOverview overview;
    private final ControlApiSettings settings;
    private final Clock clock;

    MeshStatus(Database database, ResourceStore resources, ProxyStore proxies, CaStore certificates, MeshCertificateAuthority ca,
               CloudMapState cloudMapState, @Nullable CloudMapSync cloudMapSync, MeshOverview overview,
               ControlApiSettings settings, Clock clock) {
        this.database = database;
        this.resources = resources;
        this.proxies = proxies;
        this.certificates = certificates;
        this.ca = ca;
        this.cloudMapState = cloudMapState;
        this.cloudMapSync = cloudMapSync;
        this.overview = overview;
        this.settings = settings;
        this.clock = clock;
    }

    public ObjectNode status() {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        long now = clock.millis();
        out.put("version", VERSION);
        out.put("generatedAt", MeshOverview.seconds(now));
        ObjectNode store = out.putObject("store").put("engine", database.isPostgres() ? "postgresql" : "h2");
        long started = System.nanoTime();
        boolean reachable = database.isReachable();
        store.put("healthy", reachable).put("latencyMillis", GoldenSignals.round((System.nanoTime() - started) / 1e6, 3));
        if (!reachable) {
            store.put("message", "the store does not answer: check " + (database.isPostgres()
                    ? "that PostgreSQL at CONTROL_API_JDBC_URL is up and reachable" : "the data dir's disk"));
            return out; // nothing else can be read
        }
        ArrayNode meshes = out.putArray("meshes");
        database.inTransaction(tx -> resources.page(tx, ResourceKind.MESH, "", "", null, MAX_MESHES))
                .forEach(m -> meshes.addObject().put("meshName", m.key().name()));
        cas(out.putArray("certificateAuthorities"), now);
        cloudMap(out.putObject("cloudMap"), now);
        proxies(out, now);
        return out;
    }

    private void cas(ArrayNode list, long now) {
        for (CaStore.CaRow row : ca.list()) {
            if (CaStore.RETIRED.equals(row.state())) {
                continue;
            }
            ObjectNode o = list.addObject();
            if (CaStore.ROOT.equals(row.mesh())) {
                o.put("root", true);
            } else {
                o.put("meshName", row.mesh());
            }
            o.put("generation", row.generation()).put("state", row.state()).put("notAfter", MeshOverview.seconds(row.notAfter()))
                    .put("expiresInSeconds", MeshOverview.seconds(row.notAfter() - now));
        }
        ca.privateCas().forEach((mesh, arn) -> list.addObject().put("meshName", mesh).put("certificateAuthorityArn", arn)
                .put("state", "AWS_PRIVATE_CA"));
    }

    private void cloudMap(ObjectNode out, long now) {
        Optional<Map.Entry<String, Long>> lease = cloudMapState.leaseHolder();
        out.put("enabledHere", cloudMapSync != null);
        lease.ifPresent(l -> out.putObject("lease").put("holder", l.getKey())
                .put("expiresInSeconds", MeshOverview.seconds(l.getValue() - now)));
        if (cloudMapSync != null) {
            out.set("syncer", StrictJson.mapper().valueToTree(cloudMapSync.status()));
        }
        long cloudMapNodes = database.inTransaction(tx -> resources.allOfKindContaining(tx, ResourceKind.VIRTUAL_NODE, "awsCloudMap"))
                .size();
        out.put("cloudMapNodes", cloudMapNodes);
    }

    private void proxies(ObjectNode out, long now) {
        List<ProxyStore.Row> rows = database.inTransaction(tx -> proxies.all(tx, null));
        Map<String, CaStore.IssuedRow> certs = database.inTransaction(tx -> certificates.latestForConnected(tx, null));
        int upToDate = 0;
        int refusing = 0;
        long earliest = Long.MAX_VALUE;
        String earliestProxy = null;
        Map<String, int[]> perMesh = new TreeMap<>();
        for (ProxyStore.Row row : rows) {
            ObjectNode p = overview.proxy(row, certs.get(row.proxyId()), now);
            int[] counts = perMesh.computeIfAbsent(row.mesh(), m -> new int[3]);
            counts[0]++;
            if (p.path("upToDate").asBoolean()) {
                upToDate++;
                counts[1]++;
            }
            if (row.rejectedVersion() != null) {
                refusing++;
                counts[2]++;
            }
            CaStore.IssuedRow cert = certs.get(row.proxyId());
            if (cert != null && cert.notAfter() < earliest) {
                earliest = cert.notAfter();
                earliestProxy = row.proxyId();
            }
        }
        ObjectNode summary = out.putObject("proxies").put("total", rows.size()).put("upToDate", upToDate).put("refusing", refusing);
        if (earliestProxy != null) {
            summary.putObject("earliestCertificateExpiry").put("proxyId", earliestProxy)
                    .put("notAfter", MeshOverview.seconds(earliest)).put("expiresInSeconds", MeshOverview.seconds(earliest - now));
        }
        ArrayNode meshes = summary.putArray("meshes");
        perMesh.forEach((mesh, c) -> meshes.addObject().put("meshName", mesh).put("total", c[0]).put("upToDate", c[1])
                .put("refusing", c[2]));
        out.put("proxyRegistrationTtlSeconds", settings.proxyRegistrationTtl().toSeconds());
    }

    /** The version of the control API's jar (Maven writes it); "development" when run from classes. */
    private static String readVersion() {
        try (InputStream in = MeshStatus.class.getResourceAsStream("/META-INF/maven/io.meshwork/control-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "development");
            }
        } catch (IOException e) {
            // fall through
        }
        return "development";
    }
}
