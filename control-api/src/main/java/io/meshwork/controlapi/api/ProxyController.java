package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.distribution.ProxyRegistry;
import io.meshwork.controlapi.distribution.SnapshotCache;
import io.meshwork.controlapi.tracing.ControlApiTracing;
import io.meshwork.controlapi.error.AppMeshErrorType;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.error.ErrorResponses;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.meshwork.controlapi.store.ProxyStore;
import io.meshwork.proxyapi.CertificateRequest;
import io.meshwork.proxyapi.ProxyReport;
import io.meshwork.proxyapi.TrafficReport;
import io.meshwork.controlapi.observe.MeshOverview;
import io.meshwork.controlapi.observe.TrafficReports;
import io.meshwork.controlapi.store.CaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The data-plane protocol (docs/data-plane-protocol.md): proxies long-poll their snapshot,
 * report what they run (acknowledging or refusing each version) and deregister; operators
 * list proxies and see who runs what. Proxies sign like any client and need
 * {@code appmesh:StreamAggregatedResources} on their node's or gateway's ARN, as App Mesh's
 * Envoy did.
 */
@Controller("/meshwork/v1/proxies")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ProxyController {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyController.class);
    static final String VERSION_HEADER = "x-meshwork-config-version";
    private static final String PROXY_ACTION = "appmesh:StreamAggregatedResources";
    private static final Pattern PROXY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:\\[\\]%-]{1,255}");
    private static final Pattern ECS_TASK_ARN = Pattern.compile("arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task/[A-Za-z0-9_/-]{1,400}");
    private static final String DEREGISTER_ACTION = "meshwork:DeregisterProxy";
    private static final int DEFAULT_WAIT_SECONDS = 30;
    private static final int MAX_WAIT_SECONDS = 60;

    private final AppMeshApi api;
    private final SnapshotCache snapshots;
    private final ProxyRegistry registry;
    private final ResourceArn arns;
    private final String account;
    private final io.meshwork.controlapi.ca.MeshCertificateAuthority ca;
    private final ControlApiTracing tracing;
    private final MeshOverview overview;
    private final Clock clock;

    ProxyController(AppMeshApi api, SnapshotCache snapshots, ProxyRegistry registry, ControlApiSettings settings,
                    io.meshwork.controlapi.ca.MeshCertificateAuthority ca, ControlApiTracing tracing, MeshOverview overview, Clock clock) {
        this.ca = ca;
        this.tracing = tracing;
        this.overview = overview;
        this.clock = clock;
        this.api = api;
        this.snapshots = snapshots;
        this.registry = registry;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
        this.account = settings.accountId();
    }

    /** The proxy's snapshot once its version differs from {@code version}; 304 if it stays the same for the wait. */
    @Get("/{proxyId}/config")
    CompletableFuture<HttpResponse<byte[]>> config(HttpRequest<?> request, String proxyId, @QueryValue String resourceArn,
                                                   @Nullable @QueryValue String version,
                                                   @Nullable @QueryValue Integer waitSeconds) {
        ResourceKey resource = authorize(request, proxyId, resourceArn);
        int wait = waitSeconds == null ? DEFAULT_WAIT_SECONDS : Math.max(0, Math.min(MAX_WAIT_SECONDS, waitSeconds));
        if (snapshots.current(resource).isEmpty()) {
            throw AppMeshException.notFound(resource.notPresentMessage(account));
        }
        return snapshots.next(resource, version == null ? "" : version, Duration.ofSeconds(wait)).thenApply(next -> {
            if (next.isEmpty()) {
                return snapshots.current(resource).isPresent()
                        ? HttpResponse.<byte[]>status(HttpStatus.NOT_MODIFIED).header(VERSION_HEADER, version)
                        : ErrorResponses.of(AppMeshErrorType.NOT_FOUND, resource.describe() + " was deleted");
            }
            pushed(request, proxyId, resource, next.get());
            return HttpResponse.ok(next.get().json()).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header(VERSION_HEADER, next.get().version());
        });
    }

    /** A span for a snapshot version going to a proxy, in the trace of the proxy's request for it. */
    private void pushed(HttpRequest<?> request, String proxyId, ResourceKey resource, SnapshotCache.Compiled snapshot) {
        if (!tracing.enabled()) {
            return;
        }
        tracing.tracer().spanBuilder("push snapshot").setParent(ControlApiTracing.context(request))
                .setAttribute(ControlApiTracing.MESH, resource.mesh())
                .setAttribute("appmesh.resource_arn", arns.format(resource))
                .setAttribute("meshwork.proxy_id", proxyId)
                .setAttribute("meshwork.snapshot_version", snapshot.version())
                .setAttribute("meshwork.snapshot_bytes", (long) snapshot.json().length)
                .startSpan().end();
    }

    /** Registration, heartbeat, acknowledgement and refusal in one call. */
    @Put("/{proxyId}")
    HttpResponse<byte[]> report(HttpRequest<?> request, String proxyId, @Nullable @Body byte[] body) {
        ProxyReport input = StrictJson.parse(body, ProxyReport.class);
        ResourceKey resource = authorize(request, proxyId, orEmpty(input.resourceArn()));
        String address = blankToNull(input.address());
        if (address != null && !ADDRESS.matcher(address).matches()) {
            throw AppMeshException.badRequest("'address' must be an IP address or host name, got '" + address + "'");
        }
        if (address != null && resource.kind() != ResourceKind.VIRTUAL_NODE) {
            throw AppMeshException.badRequest("only proxies of virtual nodes register as endpoints");
        }
        ProxyRegistry.CloudMapRequest cloudMap = cloudMapRegistration(resource, address, input);
        String reason = blankToNull(input.rejectedReason());
        String ecsTaskArn = blankToNull(input.ecsTaskArn());
        if (ecsTaskArn != null) {
            checkTaskArn(ecsTaskArn);
        }
        registry.report(new ProxyRegistry.Report(proxyId, resource, address, blankToNull(input.runningVersion()),
                blankToNull(input.rejectedVersion()), reason == null ? null : reason.substring(0, Math.min(1000, reason.length())), cloudMap,
                ecsTaskArn, traffic(proxyId, input.traffic())));
        return answer(new ProxyReport.Accepted(registry.ttl().toMillis()));
    }

    /**
     * Workload identity: signs the proxy's CSR (its private key stays with it) with its mesh's CA.
     * Answers the leaf with its chain, the trust bundle, the serial and the expiry. Only a key
     * allowed appmesh:StreamAggregatedResources on that node gets that node's certificate.
     */
    @io.micronaut.http.annotation.Post("/{proxyId}/certificate")
    HttpResponse<byte[]> certificate(HttpRequest<?> request, String proxyId, @Nullable @Body byte[] body) {
        CertificateRequest input = StrictJson.parse(body, CertificateRequest.class);
        ResourceKey resource = authorize(request, proxyId, orEmpty(input.resourceArn()));
        io.meshwork.controlapi.ca.MeshCertificateAuthority.Issued issued = ca.issue(resource, proxyId, blankToNull(input.csr()));
        return answer(CertificateRequest.Issued.of(issued.certificateChain(), issued.trustBundle(), issued.serial(),
                issued.notAfterMillis(), ca.spiffeId(resource)));
    }

    @Delete("/{proxyId}")
    HttpResponse<byte[]> deregister(HttpRequest<?> request, String proxyId) {
        ProxyStore.Row row = registry.find(proxyId).orElseThrow(() -> AppMeshException.notFound("No proxy " + proxyId));
        ResourceKey resource = keyOf(row);
        authorize(request, proxyId, arns.format(resource));
        registry.deregister(proxyId);
        return AppMeshApi.ok(StrictJson.mapper().createObjectNode());
    }

    /**
     * The ECS task hook: {@code DELETE /meshwork/v1/proxies?ecsTaskArn=...} when a task is told to
     * stop. Its proxies stop being endpoints at once instead of when their registration would
     * expire. Needs {@code meshwork:DeregisterProxy} on each proxy's node (on {@code mesh/*} while
     * the task has none registered).
     */
    @Delete
    HttpResponse<byte[]> ecsTaskStopped(HttpRequest<?> request, @Nullable @QueryValue String ecsTaskArn) {
        checkTaskArn(ecsTaskArn);
        List<ProxyStore.Row> rows = registry.ofEcsTask(ecsTaskArn);
        if (rows.isEmpty()) {
            api.authorize(request, DEREGISTER_ACTION, arns.prefix() + "mesh/*");
        }
        for (ProxyStore.Row row : rows) {
            api.authorize(request, DEREGISTER_ACTION, arns.format(keyOf(row)));
        }
        ObjectNode out = StrictJson.mapper().createObjectNode();
        ArrayNode removed = out.putArray("deregistered");
        registry.ecsTaskStopped(ecsTaskArn).forEach(removed::add);
        return AppMeshApi.ok(out);
    }

    /**
     * Operators: every connected proxy, the version it runs and whether that is the current one
     * (and for how long it has not been), what it refused, when it was last heard from, its
     * certificate.
     */
    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request, @Nullable @QueryValue String mesh) {
        api.authorize(request, "meshwork:ListProxies", mesh == null ? arns.prefix() + "mesh/*" : arns.format(ResourceKey.mesh(mesh)));
        ObjectNode out = StrictJson.mapper().createObjectNode();
        ArrayNode list = out.putArray("proxies");
        Map<String, CaStore.IssuedRow> certificates = registry.certificates(mesh);
        long now = clock.millis();
        for (ProxyStore.Row row : registry.list(mesh)) {
            list.add(overview.proxy(row, certificates.get(row.proxyId()), now));
        }
        return AppMeshApi.ok(out);
    }

    /**
     * {@code meshwork diagnose}: one proxy's status, the snapshot compiled for it (listeners,
     * services, clusters with their endpoints) and its certificate. Needs
     * {@code meshwork:DescribeProxy} on the proxy's node or gateway.
     */
    @Get("/{proxyId}")
    HttpResponse<byte[]> describe(HttpRequest<?> request, String proxyId) {
        if (!PROXY_ID.matcher(proxyId).matches()) {
            throw AppMeshException.badRequest("proxy id must be 1 to 128 of [A-Za-z0-9._:-], got '" + proxyId + "'");
        }
        Optional<ProxyStore.Row> found = registry.find(proxyId);
        if (found.isEmpty()) {
            api.authorize(request, "meshwork:DescribeProxy", arns.prefix() + "mesh/*");
            throw AppMeshException.notFound("No proxy " + proxyId + " is connected (it never was, deregistered, or its"
                    + " registration expired after " + registry.ttl().toSeconds() + " s without a report)");
        }
        ProxyStore.Row row = found.get();
        ResourceKey key = keyOf(row);
        api.authorize(request, "meshwork:DescribeProxy", arns.format(key));
        Optional<CaStore.IssuedRow> certificate = registry.certificate(proxyId);
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.set("proxy", overview.proxy(row, certificate.orElse(null), clock.millis()));
        certificate.ifPresent(c -> out.putObject("certificate").put("serial", c.serial())
                .put("spiffeId", ca.spiffeId(key)).put("issuedAt", BigDecimal.valueOf(c.issuedAt(), 3))
                .put("notAfter", BigDecimal.valueOf(c.notAfter(), 3)));
        snapshots.current(key).ifPresent(c -> out.set("snapshot", StrictJson.read(new String(c.json(), java.nio.charset.StandardCharsets.UTF_8))));
        return AppMeshApi.ok(out);
    }

    /**
     * A traffic report as JSON to keep, or null: none sent, or one that cannot be used. That is
     * logged and the heartbeat is still taken: a proxy must never lose its registration over its
     * statistics.
     */
    private static String traffic(String proxyId, TrafficReport traffic) {
        if (traffic == null) {
            return null;
        }
        String problem = TrafficReports.problem(traffic);
        if (problem != null) {
            LOG.warn("proxy {} sent a traffic report that cannot be used ({}); its heartbeat is taken without it", proxyId, problem);
            return null;
        }
        return StrictJson.write(StrictJson.mapper().valueToTree(traffic));
    }

    /** The node or gateway a registered proxy serves. */
    private static ResourceKey keyOf(ProxyStore.Row row) {
        return new ResourceKey(ResourceKind.fromArnSegment(row.resourceKind()), row.mesh(), "", row.resourceName());
    }

    private static void checkTaskArn(String ecsTaskArn) {
        if (ecsTaskArn == null || !ECS_TASK_ARN.matcher(ecsTaskArn).matches()) {
            throw AppMeshException.badRequest("'ecsTaskArn' must be an ECS task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID), got '"
                    + ecsTaskArn + "'");
        }
    }

    private ResourceKey authorize(HttpRequest<?> request, String proxyId, String resourceArn) {
        if (!PROXY_ID.matcher(proxyId).matches()) {
            throw AppMeshException.badRequest("proxy id must be 1 to 128 of [A-Za-z0-9._:-], got '" + proxyId + "'");
        }
        if (resourceArn.isBlank()) {
            throw AppMeshException.badRequest("'resourceArn' is required");
        }
        String full = resourceArn.startsWith("mesh/") ? arns.prefix() + resourceArn : resourceArn;
        ResourceKey key = arns.parse(full);
        if (key.kind() != ResourceKind.VIRTUAL_NODE && key.kind() != ResourceKind.VIRTUAL_GATEWAY) {
            throw AppMeshException.badRequest("a proxy serves a virtual node or a virtual gateway, not " + key.kind().typeName());
        }
        api.authorize(request, PROXY_ACTION, arns.format(key));
        return key;
    }

    /**
     * {@code "cloudMapRegistration": {"attributes": {...}}} asks for the proxy to be an instance of
     * its node's Cloud Map service; {@code "healthy"} is its app's health (its local health check).
     * Limits are Cloud Map's: 30 attributes, keys up to 255 and values up to 1,024 characters.
     */
    private ProxyRegistry.CloudMapRequest cloudMapRegistration(ResourceKey resource, String address, ProxyReport input) {
        ProxyReport.CloudMapRegistration registration = input.cloudMapRegistration();
        if (registration == null) {
            return null;
        }
        if (address == null || resource.kind() != ResourceKind.VIRTUAL_NODE) {
            throw AppMeshException.badRequest("'cloudMapRegistration' must be an object, sent by a proxy of a virtual node with an 'address'");
        }
        Map<String, String> attributes = registration.attributes() == null ? Map.of() : registration.attributes();
        if (attributes.size() > 30) {
            throw AppMeshException.badRequest("'cloudMapRegistration.attributes' must be an object of at most 30 string attributes");
        }
        Map<String, String> extra = new TreeMap<>();
        attributes.forEach((key, value) -> {
            if (value == null || key.isEmpty() || key.length() > 255 || value.length() > 1024 || key.startsWith("AWS_INSTANCE_")) {
                throw AppMeshException.badRequest("attribute '" + key + "' must be a string (key 1-255, value up to 1024"
                        + " characters); AWS_INSTANCE_* attributes are set from the proxy's address and listener");
            }
            extra.put(key, value);
        });
        return new ProxyRegistry.CloudMapRequest(extra, input.healthy() == null || input.healthy());
    }

    private static HttpResponse<byte[]> answer(Object record) {
        return AppMeshApi.ok(StrictJson.mapper().valueToTree(record));
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static void putIfSet(ObjectNode node, String member, String value) {
        if (value != null) {
            node.put(member, value);
        }
    }
}
