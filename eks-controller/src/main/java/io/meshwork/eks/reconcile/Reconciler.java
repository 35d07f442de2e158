package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.ClusterView;
import io.meshwork.eks.resources.LabelSelectors;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.resources.ObjectKey;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Brings one custom resource and its App Mesh resource in step: creates or updates the resource
 * (and a router's routes), repairs drift, writes status and events, and on deletion deletes the
 * resource once nothing in the mesh still needs it, then lets Kubernetes remove the object.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** What the work queue does next with the object. */
    public enum Outcome { DONE, RETRY }

    /** Told when a node is deleted, so its pods stop being its endpoints. */
    public interface NodeDeletion {
        void nodeDeleted(MeshObject node) throws Exception;
    }

    private final KubernetesClient client;
    private final ClusterView view;
    private final References references;
    private final SpecTranslator translator;
    private final AppMeshResources api;
    private final StatusWriter status;
    private final EventRecorder events;
    private final NodeDeletion nodeDeletion;
    private final String ownAccount;
    private Consumer<ObjectKey> requeue = key -> { };

    /** @param ownAccount the control API's account ({@code MESHWORK_ACCOUNT_ID}), to tell a mesh of its own from a shared one */
    public Reconciler(KubernetesClient client, ClusterView view, AppMeshResources api, StatusWriter status, EventRecorder events,
                      NodeDeletion nodeDeletion, String ownAccount) {
        this.ownAccount = ownAccount == null ? "" : ownAccount;
        this.client = client;
        this.view = view;
        this.references = new References(view);
        this.translator = new SpecTranslator(references);
        this.api = api;
        this.status = status;
        this.events = events;
        this.nodeDeletion = nodeDeletion;
    }

    /** Where objects that waited on another go once it is ready. */
    public void onRequeue(Consumer<ObjectKey> requeue) {
        this.requeue = requeue;
    }

    public Outcome reconcile(ObjectKey key) {
        Optional<MeshObject> found = fetch(key);
        if (found.isEmpty()) {
            events.forget(key);
            return Outcome.DONE;
        }
        MeshObject object = found.get();
        if (object.kind() == AppMeshKind.BACKEND_GROUP) {
            // A group has no resource of its own: the nodes naming it carry its services as backends.
            view.list(AppMeshKind.VIRTUAL_NODE).stream().filter(n -> namesGroup(n, object)).forEach(n -> requeue.accept(ObjectKey.of(n)));
            return Outcome.DONE;
        }
        try {
            return object.deleting() ? finalize(object) : apply(object);
        } catch (UnresolvedReferenceException e) {
            status.write(object, null, false, "ReferencesNotResolved", e.getMessage(), Map.of());
            events.warning(object, "ReferencesNotResolved", e.getMessage());
            return Outcome.RETRY;
        } catch (ControlApiException e) {
            status.write(object, null, false, e.errorType(), e.getMessage(), Map.of());
            events.warning(object, object.deleting() ? "DeleteFailed" : "SyncFailed", e.getMessage());
            return e.retriable() || e.status() >= 500 ? Outcome.RETRY : Outcome.DONE;
        } catch (KubernetesClientException e) {
            LOG.warn("{}: Kubernetes API: {}", key, e.getMessage());
            return Outcome.RETRY;
        }
    }

    private Optional<MeshObject> fetch(ObjectKey key) {
        GenericKubernetesResource resource = named(key.kind(), key.namespace(), key.name()).get();
        return Optional.ofNullable(resource).map(MeshObject::of);
    }

    private Resource<GenericKubernetesResource> named(AppMeshKind kind, String namespace, String name) {
        var resources = client.genericKubernetesResources(kind.context());
        return kind.namespaced() ? resources.inNamespace(namespace).withName(name) : resources.withName(name);
    }

    private Outcome apply(MeshObject object) throws UnresolvedReferenceException, ControlApiException {
        MeshObject mesh = references.meshOf(object);
        boolean cloudMap = object.kind() == AppMeshKind.VIRTUAL_NODE && object.spec().path("serviceDiscovery").has("awsCloudMap");
        object = ensureFinalizers(object, Finalizers.of(object.kind(), cloudMap));
        String meshName = mesh.awsName();
        String owner = mesh.foreignOwner(ownAccount);
        String query = owner.isEmpty() ? "" : "?meshOwner=" + SignedControlApiClient.encode(owner);
        String parent = object.kind() == AppMeshKind.GATEWAY_ROUTE ? references.gatewayOf(object).awsName() : null;
        String name = object.awsName();
        String previousArn = object.status().path(object.kind().statusArnField()).asText("");

        Optional<MeshObject> claimant = claimedByAnother(object, arnSuffix(object.kind(), meshName, parent, name));
        if (claimant.isPresent()) {
            String message = object.kind().kind() + " " + name + " in mesh " + meshName + " is already managed by "
                    + claimant.get().describe() + ": give this object another spec.awsName";
            status.write(object, null, false, "Conflict", message, Map.of());
            events.warning(object, "Conflict", message);
            return Outcome.RETRY;
        }
        ObjectNode desired = translator.apiSpec(object);
        Map<String, ObjectNode> routes = object.kind() == AppMeshKind.VIRTUAL_ROUTER ? translator.routes(object) : Map.of();
        String path = object.kind().resourcePath(meshName, parent, name) + query;
        Optional<JsonNode> actual = api.describe(path);
        JsonNode resource;
        boolean specChanged = object.generation() != object.status().path("observedGeneration").asLong(-1);
        if (actual.isEmpty()) {
            if (object.kind() == AppMeshKind.MESH && !owner.isEmpty()) {
                throw new ControlApiException(404, "NotFoundException", "Mesh " + meshName + " owned by " + owner
                        + " is not shared with this account: its owner shares it, this controller does not create it");
            }
            resource = api.create(object.kind().collectionPath(meshName, parent) + query, object.kind().nameField(), name, desired,
                    UUID.randomUUID().toString());
            if (!previousArn.isEmpty()) {
                events.warning(object, "DriftRepaired", object.kind().kind() + " " + name + " was deleted outside Kubernetes; made it again");
            } else {
                events.normal(object, "Created", "created " + object.kind().kind() + " " + name + " in mesh " + meshName);
            }
        } else if (specChanged || SpecDrift.drifted(actual.get().path("spec"), desired)) {
            resource = api.update(path, desired);
            events.normal(object, specChanged ? "Updated" : "DriftRepaired", specChanged
                    ? "updated " + object.kind().kind() + " " + name
                    : object.kind().kind() + " " + name + " was changed outside Kubernetes; set it back to the object's spec");
        } else {
            resource = actual.get();
        }
        Map<String, JsonNode> extra = new HashMap<>();
        if (object.kind() == AppMeshKind.VIRTUAL_ROUTER) {
            extra.put("routeARNs", SnapshotJson.mapper().valueToTree(syncRoutes(object, meshName, name, query, routes)));
        }
        String arn = resource.path("metadata").path("arn").asText();
        status.write(object, arn, true, null, null, extra);
        if (previousArn.isEmpty()) {
            // Objects that waited on this one (a service on its node, a route on its gateway) can go on now.
            requeueWaiting();
            if (object.kind() == AppMeshKind.VIRTUAL_SERVICE) {
                requeueWildcardNodes(object.namespace());
            }
        }
        return Outcome.DONE;
    }

    /** Creates, updates and deletes a router's routes to match its {@code spec.routes}; route name → ARN. */
    private Map<String, String> syncRoutes(MeshObject router, String mesh, String routerName, String query, Map<String, ObjectNode> routes)
            throws ControlApiException {
        Map<String, String> arns = new LinkedHashMap<>();
        for (var route : routes.entrySet()) {
            String path = AppMeshKind.routePath(mesh, routerName, route.getKey()) + query;
            Optional<JsonNode> actual = api.describe(path);
            JsonNode made;
            if (actual.isEmpty()) {
                made = api.create(AppMeshKind.routePath(mesh, routerName, null) + query, "routeName", route.getKey(), route.getValue(),
                        UUID.randomUUID().toString());
            } else if (SpecDrift.drifted(actual.get().path("spec"), route.getValue())) {
                made = api.update(path, route.getValue());
            } else {
                made = actual.get();
            }
            arns.put(route.getKey(), made.path("metadata").path("arn").asText());
        }
        for (String existing : api.listNames(AppMeshKind.routePath(mesh, routerName, null) + query, "routes", "routeName")) {
            if (!routes.containsKey(existing)) {
                api.delete(AppMeshKind.routePath(mesh, routerName, existing) + query);
                events.normal(router, "RouteDeleted", "deleted route " + existing + ", no longer in spec.routes");
            }
        }
        return arns;
    }

    private Outcome finalize(MeshObject object) throws ControlApiException {
        if (object.finalizers().stream().noneMatch(Finalizers::ours)) {
            return Outcome.DONE;
        }
        if (object.kind() == AppMeshKind.VIRTUAL_SERVICE) {
            requeueWildcardNodes(object.namespace()); // they drop it from their backends, so it can go
        }
        List<String> members = members(object);
        if (!members.isEmpty()) {
            String message = "waiting for " + members.size() + " member(s) to be deleted first: " + String.join(", ", members.subList(0,
                    Math.min(5, members.size()))) + (members.size() > 5 ? ", ..." : "");
            status.write(object, null, false, "MembersRemain", message, Map.of());
            events.normal(object, "DeletionWaiting", message);
            return Outcome.RETRY;
        }
        if (object.kind() == AppMeshKind.VIRTUAL_NODE && object.finalizers().contains(Finalizers.CLOUD_MAP)) {
            try {
                nodeDeletion.nodeDeleted(object);
            } catch (Exception e) {
                events.warning(object, "CloudMapDeregisterFailed", e.getMessage());
                return Outcome.RETRY;
            }
        }
        String arn = object.status().path(object.kind().statusArnField()).asText("");
        if (!arn.isEmpty()) {
            deleteByArn(object, arn);
            events.normal(object, "Deleted", "deleted " + object.kind().kind() + " " + arn);
        }
        ensureFinalizers(object, List.of());
        return Outcome.DONE;
    }

    /** Deletes the resource the ARN names ({@code arn:aws:appmesh:R:A:mesh/M[/kind/N[/kind/N]]}); a router's routes first. */
    private void deleteByArn(MeshObject object, String arn) throws ControlApiException {
        String[] path = arn.substring(arn.indexOf(":mesh/") + ":mesh/".length()).split("/");
        String mesh = path[0];
        String query = "";
        if (object.kind() != AppMeshKind.MESH) {
            try {
                String owner = references.meshOf(object).foreignOwner(ownAccount);
                query = owner.isEmpty() ? "" : "?meshOwner=" + SignedControlApiClient.encode(owner);
            } catch (UnresolvedReferenceException e) {
                // The Mesh object is gone: its resource was the caller's own.
            }
        }
        String name = path[path.length - 1];
        String parent = path.length == 5 ? path[2] : null;
        if (object.kind() == AppMeshKind.VIRTUAL_ROUTER) {
            try {
                for (String route : api.listNames(AppMeshKind.routePath(mesh, name, null) + query, "routes", "routeName")) {
                    api.delete(AppMeshKind.routePath(mesh, name, route) + query);
                }
            } catch (ControlApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        if (object.kind() == AppMeshKind.MESH && !object.foreignOwner(ownAccount).isEmpty()) {
            return; // a mesh shared with this account is its owner's to delete
        }
        api.delete(object.kind().resourcePath(mesh, parent, name) + query);
    }

    /**
     * Another object of the same kind that already manages the resource this one names (two objects
     * with one AWS name would overwrite each other's spec at every resync): the one holding its ARN.
     */
    private Optional<MeshObject> claimedByAnother(MeshObject object, String arnSuffix) {
        return view.list(object.kind()).stream()
                .filter(other -> !Objects.equals(other.uid(), object.uid()) && !other.deleting())
                .filter(other -> other.status().path(other.kind().statusArnField()).asText("").endsWith(arnSuffix))
                .findFirst();
    }

    /** The end of the resource's ARN: {@code :mesh/M}, {@code :mesh/M/virtualNode/N}, {@code :mesh/M/virtualGateway/G/gatewayRoute/R}. */
    private static String arnSuffix(AppMeshKind kind, String mesh, String parent, String name) {
        return switch (kind) {
            case MESH -> ":mesh/" + name;
            case GATEWAY_ROUTE -> ":mesh/" + mesh + "/virtualGateway/" + parent + "/gatewayRoute/" + name;
            default -> ":mesh/" + mesh + "/" + Character.toLowerCase(kind.kind().charAt(0)) + kind.kind().substring(1) + "/" + name;
        };
    }

    /** What still belongs to a Mesh or VirtualGateway that is being deleted. */
    private List<String> members(MeshObject object) {
        List<String> members = new ArrayList<>();
        if (object.kind() == AppMeshKind.MESH) {
            for (AppMeshKind kind : List.of(AppMeshKind.VIRTUAL_NODE, AppMeshKind.VIRTUAL_SERVICE, AppMeshKind.VIRTUAL_ROUTER,
                    AppMeshKind.VIRTUAL_GATEWAY, AppMeshKind.GATEWAY_ROUTE)) {
                for (MeshObject member : view.list(kind)) {
                    if (belongsTo(member, object)) {
                        members.add(member.describe());
                    }
                }
            }
        } else if (object.kind() == AppMeshKind.VIRTUAL_GATEWAY) {
            for (MeshObject route : view.list(AppMeshKind.GATEWAY_ROUTE)) {
                try {
                    MeshObject gateway = references.gatewayOf(route);
                    if (gateway.name().equals(object.name()) && gateway.namespace().equals(object.namespace())) {
                        members.add(route.describe());
                    }
                } catch (UnresolvedReferenceException e) {
                    // not this gateway's
                }
            }
        }
        return members;
    }

    private boolean belongsTo(MeshObject member, MeshObject mesh) {
        String ref = member.spec().path("meshRef").path("name").asText("");
        if (!ref.isEmpty()) {
            return ref.equals(mesh.name());
        }
        // No meshRef (the webhook did not run): a member by its namespace, as the mesh selected it.
        return LabelSelectors.matches(mesh.spec().get("namespaceSelector"), view.namespaceLabels(member.namespace()));
    }

    private static boolean namesGroup(MeshObject node, MeshObject group) {
        for (JsonNode ref : node.spec().path("backendGroups")) {
            String ns = ref.path("namespace").asText("");
            if (ref.path("name").asText().equals(group.name()) && (ns.isEmpty() ? node.namespace() : ns).equals(group.namespace())) {
                return true;
            }
        }
        return false;
    }

    /** Sets the controller's finalizers on the object to {@code wanted} (others' are kept), and returns it as stored. */
    private MeshObject ensureFinalizers(MeshObject object, List<String> wanted) {
        List<String> current = object.finalizers();
        List<String> next = new ArrayList<>(current.stream().filter(f -> !Finalizers.ours(f) || wanted.contains(f)).toList());
        wanted.stream().filter(f -> !next.contains(f)).forEach(next::add);
        if (next.equals(current)) {
            return object;
        }
        GenericKubernetesResource edited = named(object.kind(), object.namespace(), object.name()).edit(r -> {
            r.getMetadata().setFinalizers(next);
            return r;
        });
        return edited == null ? object : MeshObject.of(edited);
    }

    /** Nodes whose backends are every service of a namespace ({@code backendGroups: [{name: "*"}]}) take a new one in. */
    private void requeueWildcardNodes(String namespace) {
        for (MeshObject node : view.list(AppMeshKind.VIRTUAL_NODE)) {
            for (JsonNode ref : node.spec().path("backendGroups")) {
                String ns = ref.path("namespace").asText("").isEmpty() ? node.namespace() : ref.path("namespace").asText();
                if (SpecTranslator.WILDCARD.equals(ref.path("name").asText()) && ns.equals(namespace)) {
                    requeue.accept(ObjectKey.of(node));
                }
            }
        }
    }

    private void requeueWaiting() {
        for (AppMeshKind kind : AppMeshKind.values()) {
            if (!kind.hasAwsResource()) {
                continue;
            }
            for (MeshObject waiting : view.list(kind)) {
                boolean active = false;
                for (JsonNode c : waiting.status().path("conditions")) {
                    active |= c.path("type").asText().equals(kind.activeCondition()) && c.path("status").asText().equals("True");
                }
                if (!active) {
                    requeue.accept(ObjectKey.of(waiting));
                }
            }
        }
    }
}
