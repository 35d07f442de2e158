package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.proxyapi.SnapshotJson;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Writes an object's status as App Mesh's controller did: {@code status.<kind>ARN}, one
 * {@code <Kind>Active} condition (status, reason, message, last transition), and
 * {@code observedGeneration}; only when something changed, so a status write does not start
 * another round of reconciling.
 */
public final class StatusWriter {
    private final KubernetesClient client;
    private final Clock clock;

    public StatusWriter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** {@code arn} null keeps the one there; {@code extra} adds fields (a router's routeARNs). */
    public void write(MeshObject object, String arn, boolean active, String reason, String message, Map<String, JsonNode> extra) {
        ObjectNode before = object.status();
        ObjectNode status = before.deepCopy();
        if (arn != null) {
            status.put(object.kind().statusArnField(), arn);
        }
        String type = object.kind().activeCondition();
        String state = active ? "True" : "False";
        ObjectNode previous = null;
        for (JsonNode c : before.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                previous = (ObjectNode) c;
            }
        }
        ObjectNode condition = SnapshotJson.mapper().createObjectNode();
        condition.put("type", type);
        condition.put("status", state);
        condition.put("lastTransitionTime", previous != null && state.equals(previous.path("status").asText())
                ? previous.path("lastTransitionTime").asText() : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        if (reason != null) {
            condition.put("reason", reason);
        }
        if (message != null) {
            condition.put("message", message);
        }
        ArrayNode conditions = status.putArray("conditions");
        for (JsonNode c : before.path("conditions")) {
            if (!type.equals(c.path("type").asText())) {
                conditions.add(c);
            }
        }
        conditions.add(condition);
        if (active) {
            // Only a spec that reached App Mesh is observed: a failed update must be tried again
            // (as a spec change) once the control API answers.
            status.put("observedGeneration", object.generation());
        }
        extra.forEach(status::set);
        if (status.equals(before)) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> statusMap = SnapshotJson.mapper().convertValue(status, Map.class);
        var resources = client.genericKubernetesResources(object.kind().context());
        var named = object.kind().namespaced() ? resources.inNamespace(object.namespace()).withName(object.name())
                : resources.withName(object.name());
        try {
            named.editStatus((GenericKubernetesResource r) -> {
                r.setAdditionalProperty("status", statusMap);
                return r;
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            // deleted while it was being reconciled: no status to write
        }
    }
}
