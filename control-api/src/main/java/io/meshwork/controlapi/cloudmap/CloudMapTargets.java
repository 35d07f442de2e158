package io.meshwork.controlapi.cloudmap;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.cloudmap.discovery.CloudMapQuery;
import io.meshwork.cloudmap.sync.NodeRef;
import io.meshwork.cloudmap.sync.NodeTarget;
import io.meshwork.controlapi.resource.ResourceKind;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.ResourceStore;
import io.meshwork.controlapi.store.StoredResource;
import io.meshwork.controlapi.store.Transaction;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The virtual nodes discovered through Cloud Map, each with its query: the spec's namespace,
 * service and attributes, and its ipPreference (the node's, else the mesh's). Re-read from the
 * store only when the change log moved, so a 1 s poll does not re-parse every node every second.
 */
@Singleton
final class CloudMapTargets {
    private final ResourceStore resources;
    private final ChangeLog changeLog;
    private long readAt = -1;
    private Map<NodeRef, NodeTarget> current = Map.of();

    CloudMapTargets(ResourceStore resources, ChangeLog changeLog) {
        this.resources = resources;
        this.changeLog = changeLog;
    }

    synchronized Map<NodeRef, NodeTarget> read(Transaction tx) {
        long latest = changeLog.latest(tx);
        if (latest == readAt) {
            return current;
        }
        Map<String, String> meshPreference = new HashMap<>();
        for (StoredResource mesh : resources.allOfKindContaining(tx, ResourceKind.MESH, "\"ipPreference\"")) {
            String pref = mesh.spec().path("serviceDiscovery").path("ipPreference").asText(null);
            if (pref != null) {
                meshPreference.put(mesh.key().name(), pref);
            }
        }
        Map<NodeRef, NodeTarget> out = new LinkedHashMap<>();
        for (StoredResource node : resources.allOfKindContaining(tx, ResourceKind.VIRTUAL_NODE, "\"awsCloudMap\"")) {
            JsonNode spec = node.spec();
            JsonNode cm = spec.path("serviceDiscovery").path("awsCloudMap");
            if (cm.isMissingNode()) {
                continue;
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (JsonNode a : cm.path("attributes")) {
                attributes.put(a.path("key").asText(), a.path("value").asText());
            }
            String pref = cm.path("ipPreference").asText(meshPreference.get(node.key().mesh()));
            JsonNode port = spec.path("listeners").path(0).path("portMapping").path("port");
            NodeTarget target = new NodeTarget(node.key().mesh(), node.key().name(),
                    new CloudMapQuery(cm.path("namespaceName").asText(), cm.path("serviceName").asText(), attributes, pref),
                    port.isInt() ? port.asInt() : null);
            out.put(target.ref(), target);
        }
        current = Map.copyOf(out);
        readAt = latest;
        return current;
    }
}
