package io.meshwork.controlapi.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.config.Quotas;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.idempotency.IdempotentWrites;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.meshwork.controlapi.resource.gatewayroute.GatewayRouteRules;
import io.meshwork.controlapi.resource.mesh.MeshRules;
import io.meshwork.controlapi.resource.route.RouteRules;
import io.meshwork.controlapi.resource.virtualgateway.VirtualGatewayRules;
import io.meshwork.controlapi.resource.virtualnode.VirtualNodeRules;
import io.meshwork.controlapi.resource.virtualrouter.VirtualRouterRules;
import io.meshwork.controlapi.resource.virtualservice.VirtualServiceRules;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.ClientTokenStore;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ResourceStore;
import io.meshwork.controlapi.store.StoreUnavailableException;
import io.meshwork.controlapi.store.StoredResource;
import io.meshwork.controlapi.store.TagStore;
import io.meshwork.controlapi.store.Transaction;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Create, describe, update, delete and list for all seven resource kinds, with App Mesh's
 * rules: parents and referenced resources must exist, names are unique under their parent,
 * a resource still in use cannot be deleted, quotas hold, clientTokens make writes
 * idempotent. Creates, deletes and the updates that name other resources first lock the
 * mesh's row, so they are serialized within one mesh (also across control-api replicas sharing
 * PostgreSQL) and checks such as "no virtual service still names this node" cannot race with
 * a concurrent write. Other updates lock only the resource's own row.
 */
@Singleton
public final class ResourceService {
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_SERVICE_NAME = 1024;

    private final Database database;
    private final ResourceStore store;
    private final TagStore tags;
    private final IdempotentWrites idempotency;
    private final Quotas quotas;
    private final Clock clock;
    private final String account;
    private final ResourceView view;
    private final ResourceChangeListener changes;
    private final ChangeLog changeLog;
    private final Map<ResourceKind, SpecRules> rules = new EnumMap<>(ResourceKind.class);

    public ResourceService(Database database, ResourceStore store, TagStore tags, ClientTokenStore tokens,
                           ControlApiSettings settings, Quotas quotas, Clock clock, ResourceChangeListener changes,
                           ChangeLog changeLog) {
        this.changeLog = changeLog;
        this.database = database;
        this.store = store;
        this.tags = tags;
        this.idempotency = new IdempotentWrites(tokens);
        this.quotas = quotas;
        this.clock = clock;
        this.changes = changes;
        this.account = settings.accountId();
        this.view = new ResourceView(new ResourceArn(settings.region(), settings.accountId()), settings.accountId());
        rules.put(ResourceKind.MESH, new MeshRules());
        rules.put(ResourceKind.VIRTUAL_SERVICE, new VirtualServiceRules());
        rules.put(ResourceKind.VIRTUAL_ROUTER, new VirtualRouterRules());
        rules.put(ResourceKind.ROUTE, new RouteRules());
        rules.put(ResourceKind.VIRTUAL_NODE, new VirtualNodeRules());
        rules.put(ResourceKind.VIRTUAL_GATEWAY, new VirtualGatewayRules());
        rules.put(ResourceKind.GATEWAY_ROUTE, new GatewayRouteRules());
    }

    public JsonNode create(String operation, ResourceKind kind, ObjectNode input) {
        ResourceKey key = keyOf(kind, input);
        checkName(kind, key.name());
        JsonNode spec = specOf(kind, input);
        Map<String, String> newTags = tagsOf(input);
        JsonNode response = database.inTransaction(tx -> {
            Optional<JsonNode> replay = idempotency.replay(tx, operation, input);
            if (replay.isPresent()) {
                return replay.get();
            }
            JsonNode parentSpec = lockParents(tx, key);
            checkSpec(tx, key, spec, parentSpec);
            checkQuota(tx, key);
            long now = clock.millis();
            StoredResource created = store.insert(tx, key, spec, now).orElseThrow(() -> AppMeshException.conflict(
                    key.describe() + " already exists" + where(key)));
            tags.put(tx, created.id(), newTags);
            store.addReferences(tx, created, references(key, spec));
            changeLog.append(tx, key.mesh(), now);
            ObjectNode data = view.data(created, ResourceView.ACTIVE);
            idempotency.record(tx, operation, input, data, now);
            return data;
        });
        changes.changed(key);
        return response;
    }

    public JsonNode describe(ResourceKind kind, ObjectNode input) {
        ResourceKey key = keyOf(kind, input);
        StoredResource found = database.inTransaction(tx -> store.find(tx, key))
                .orElseThrow(() -> AppMeshException.notFound(key.notPresentMessage(account)));
        return view.data(found, ResourceView.ACTIVE);
    }

    public JsonNode update(String operation, ResourceKind kind, ObjectNode input) {
        ResourceKey key = keyOf(kind, input);
        JsonNode spec = specOf(kind, input);
        JsonNode response = database.inTransaction(tx -> {
            Optional<JsonNode> replay = idempotency.replay(tx, operation, input);
            if (replay.isPresent()) {
                return replay.get();
            }
            // Updates that name other resources (a provider, targets, a router's ports) take the mesh
            // lock like creates do; the others only lock their own row, so they run in parallel.
            JsonNode parentSpec = namesOtherResources(kind) ? lockParents(tx, key) : null;
            StoredResource current = store.lock(tx, key)
                    .orElseThrow(() -> AppMeshException.notFound(key.notPresentMessage(account)));
            checkSpec(tx, key, spec, parentSpec);
            long now = Math.max(clock.millis(), current.updatedAtMillis());
            StoredResource updated = store.update(tx, current, spec, now).orElseThrow(() ->
                    new StoreUnavailableException("concurrent update of " + key.describe(), null));
            store.replaceReferences(tx, updated, references(key, spec));
            changeLog.append(tx, key.mesh(), now);
            ObjectNode data = view.data(updated, ResourceView.ACTIVE);
            idempotency.record(tx, operation, input, data, now);
            return data;
        });
        changes.changed(key);
        return response;
    }

    public JsonNode delete(ResourceKind kind, ObjectNode input) {
        ResourceKey key = keyOf(kind, input);
        JsonNode response = database.inTransaction(tx -> {
            lockMesh(tx, key, key);
            StoredResource current = store.find(tx, key)
                    .orElseThrow(() -> AppMeshException.notFound(key.notPresentMessage(account)));
            checkNotInUse(tx, key);
            store.delete(tx, current.id());
            store.adjustCount(tx, kind, key.mesh(), key.parent(), -1);
            if (kind == ResourceKind.MESH || kind.holdsRoutes()) {
                store.dropCountsUnder(tx, key);
            }
            long now = Math.max(clock.millis(), current.updatedAtMillis());
            changeLog.append(tx, key.mesh(), now);
            StoredResource deleted = new StoredResource(current.id(), key, current.uid(), current.version() + 1,
                    current.createdAtMillis(), now, current.specJson());
            return view.data(deleted, ResourceView.DELETED);
        });
        changes.changed(key);
        return response;
    }

    public JsonNode list(ResourceKind kind, ObjectNode input) {
        String mesh = kind == ResourceKind.MESH ? "" : input.path("meshName").asText();
        String parent = kind.hasNamedParent() ? input.path(kind.parent().nameMember()).asText() : "";
        checkMeshOwner(input);
        int limit = input.has("limit") ? input.get("limit").intValue() : DEFAULT_PAGE;
        String after = PageToken.decode(input.path("nextToken").asText(null));
        List<StoredResource> page = database.inTransaction(tx -> {
            if (kind != ResourceKind.MESH) {
                ResourceKey parentKey = kind.hasNamedParent()
                        ? ResourceKey.inMesh(kind.parent(), mesh, parent) : ResourceKey.mesh(mesh);
                if (store.find(tx, parentKey).isEmpty()) {
                    throw AppMeshException.notFound(parentKey.notPresentMessage(account));
                }
            }
            return store.page(tx, kind, mesh, parent, after, limit + 1);
        });
        ObjectNode output = StrictJson.mapper().createObjectNode();
        ArrayNode items = output.putArray(kind.listMember());
        page.stream().limit(limit).forEach(r -> items.add(view.ref(r)));
        if (page.size() > limit) {
            output.put("nextToken", PageToken.after(page.get(limit - 1).key().name()));
        }
        return output;
    }

    private static boolean namesOtherResources(ResourceKind kind) {
        return kind == ResourceKind.VIRTUAL_SERVICE || kind == ResourceKind.ROUTE || kind == ResourceKind.GATEWAY_ROUTE;
    }

    /** The resource an ARN names, for the tag operations; NotFound if it does not exist. */
    public StoredResource find(Transaction tx, ResourceKey key, boolean lock) {
        if (lock) {
            lockMesh(tx, key, key);
        }
        return store.find(tx, key).orElseThrow(() -> AppMeshException.notFound(key.notPresentMessage(account)));
    }

    private ResourceKey keyOf(ResourceKind kind, ObjectNode input) {
        checkMeshOwner(input);
        return ResourceKey.fromInput(kind, input);
    }

    private void checkMeshOwner(ObjectNode input) {
        JsonNode owner = input.get("meshOwner");
        if (owner != null && !owner.asText().equals(account)) {
            throw AppMeshException.notFound("Mesh " + input.path("meshName").asText() + " owned by account "
                    + owner.asText() + " is not shared with account " + account);
        }
    }

    /** Names end up in ARNs and URL paths, where a '/' or a control character cannot round-trip. */
    private static void checkName(ResourceKind kind, String name) {
        if (name.isEmpty()) {
            throw AppMeshException.badRequest("'" + kind.nameMember() + "' must not be empty");
        }
        if (name.length() > MAX_SERVICE_NAME) {
            throw AppMeshException.badRequest("'" + kind.nameMember() + "' must have length less than or equal to "
                    + MAX_SERVICE_NAME);
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '/' || Character.isISOControl(ch)) {
                throw AppMeshException.badRequest("'" + kind.nameMember() + "' must not contain '/' or control"
                        + " characters, got '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
            }
        }
    }

    private JsonNode specOf(ResourceKind kind, ObjectNode input) {
        JsonNode spec = input.get("spec");
        if (spec == null || spec.isNull()) {
            spec = StrictJson.mapper().createObjectNode();
        }
        return rules.get(kind).withDefaults(spec);
    }

    private static Map<String, String> tagsOf(ObjectNode input) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode list = input.path("tags");
        for (int i = 0; i < list.size(); i++) {
            JsonNode tag = list.get(i);
            if (out.put(tag.path("key").asText(), tag.path("value").asText()) != null) {
                throw AppMeshException.badRequest("'tags[" + i + "].key' repeats the key '" + tag.path("key").asText() + "'");
            }
        }
        return out;
    }

    /**
     * Locks the mesh row (writes in a mesh are serialized by it) and returns the spec of the
     * router or gateway a route or gateway route belongs to.
     */
    private JsonNode lockParents(Transaction tx, ResourceKey key) {
        if (key.kind() == ResourceKind.MESH) {
            return null;
        }
        lockMesh(tx, key, key.meshKey());
        if (!key.kind().hasNamedParent()) {
            return null;
        }
        ResourceKey parentKey = key.parentKey();
        return store.find(tx, parentKey)
                .orElseThrow(() -> AppMeshException.notFound(parentKey.notPresentMessage(account)))
                .spec();
    }

    private void lockMesh(Transaction tx, ResourceKey key, ResourceKey notFoundKey) {
        if (store.lock(tx, key.meshKey()).isEmpty()) {
            throw AppMeshException.notFound(key.kind() == ResourceKind.MESH
                    ? key.notPresentMessage(account) : notFoundKey.meshKey().notPresentMessage(account));
        }
    }

    private void checkSpec(Transaction tx, ResourceKey key, JsonNode spec, JsonNode parentSpec) {
        Violations violations = new Violations();
        rules.get(key.kind()).check(spec, parentSpec, quotas, violations);
        violations.throwIfAny();
        for (ResourceKey target : references(key, spec)) {
            if (store.find(tx, target).isEmpty()) {
                throw AppMeshException.notFound(target.describe() + " referenced by " + key.describe()
                        + " is not present under mesh " + key.mesh() + " for account " + account);
            }
        }
        Violations againstMesh = new Violations();
        rules.get(key.kind()).checkAgainstMesh(key.mesh(), spec, other -> store.find(tx, other).map(StoredResource::spec),
                againstMesh);
        againstMesh.throwIfAny();
    }

    private List<ResourceKey> references(ResourceKey key, JsonNode spec) {
        return rules.get(key.kind()).references(key.mesh(), spec);
    }

    /** Counts the resource about to be created; the count is rolled back with a refused create. */
    private void checkQuota(Transaction tx, ResourceKey key) {
        int limit = switch (key.kind()) {
            case MESH -> quotas.meshes();
            case VIRTUAL_SERVICE -> quotas.virtualServicesPerMesh();
            case VIRTUAL_ROUTER -> quotas.virtualRoutersPerMesh();
            case ROUTE -> quotas.routesPerVirtualRouter();
            case VIRTUAL_NODE -> quotas.virtualNodesPerMesh();
            case VIRTUAL_GATEWAY -> quotas.virtualGatewaysPerMesh();
            case GATEWAY_ROUTE -> quotas.gatewayRoutesPerVirtualGateway();
        };
        long count = store.adjustCount(tx, key.kind(), key.mesh(), key.parent(), 1);
        if (count > limit) {
            throw AppMeshException.limitExceeded("Cannot create " + key.describe() + where(key) + ": the quota of "
                    + limit + " " + key.kind().listMember() + " is reached");
        }
    }

    private void checkNotInUse(Transaction tx, ResourceKey key) {
        List<String> blockers = new ArrayList<>();
        switch (key.kind()) {
            case MESH -> store.countsInMesh(tx, key.mesh()).forEach((kind, n) -> blockers.add(n + " " + kind.listMember()));
            case VIRTUAL_ROUTER -> countChildren(tx, key, ResourceKind.ROUTE, blockers);
            case VIRTUAL_GATEWAY -> countChildren(tx, key, ResourceKind.GATEWAY_ROUTE, blockers);
            default -> {
            }
        }
        for (ResourceKey referrer : store.referrers(tx, key, 5)) {
            blockers.add(referrer.kind() == ResourceKind.ROUTE || referrer.kind() == ResourceKind.GATEWAY_ROUTE
                    ? referrer.describe() + " of " + referrer.kind().parent().typeName() + " " + referrer.parent()
                    : referrer.describe());
        }
        if (!blockers.isEmpty()) {
            throw AppMeshException.inUse(key.describe() + where(key) + " is still in use by " + String.join(", ", blockers)
                    + "; delete or update those first");
        }
    }

    private void countChildren(Transaction tx, ResourceKey key, ResourceKind childKind, List<String> blockers)
            {
        long n = store.count(tx, childKind, key.mesh(), key.name());
        if (n > 0) {
            blockers.add(n + " " + childKind.listMember());
        }
    }

    private static String where(ResourceKey key) {
        if (key.kind() == ResourceKind.MESH) {
            return "";
        }
        return key.kind().hasNamedParent()
                ? " in " + key.kind().parent().typeName() + " " + key.parent() + " of mesh " + key.mesh()
                : " in mesh " + key.mesh();
    }
}
