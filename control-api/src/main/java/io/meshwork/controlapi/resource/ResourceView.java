package io.meshwork.controlapi.resource;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.meshwork.controlapi.store.StoredResource;

import java.math.BigDecimal;

/** Renders stored resources as App Mesh's {@code *Data} and {@code *Ref} shapes. */
public final class ResourceView {
    public static final String ACTIVE = "ACTIVE";
    public static final String DELETED = "DELETED";

    private final ResourceArn arns;
    private final String account;

    public ResourceView(ResourceArn arns, String account) {
        this.arns = arns;
        this.account = account;
    }

    /** The full resource: names, metadata, spec and status. */
    public ObjectNode data(StoredResource r, String status) {
        ObjectNode node = StrictJson.mapper().createObjectNode();
        names(node, r.key());
        ObjectNode metadata = node.putObject("metadata");
        metadata.put("arn", arns.format(r.key()));
        metadata.set("createdAt", epochSeconds(r.createdAtMillis()));
        metadata.set("lastUpdatedAt", epochSeconds(r.updatedAtMillis()));
        metadata.put("meshOwner", account);
        metadata.put("resourceOwner", account);
        metadata.put("uid", r.uid());
        metadata.put("version", r.version());
        node.putRawValue("spec", new RawValue(r.specJson()));
        node.putObject("status").put("status", status);
        return node;
    }

    /** The summary in List outputs. */
    public ObjectNode ref(StoredResource r) {
        ObjectNode node = StrictJson.mapper().createObjectNode();
        node.put("arn", arns.format(r.key()));
        node.set("createdAt", epochSeconds(r.createdAtMillis()));
        node.set("lastUpdatedAt", epochSeconds(r.updatedAtMillis()));
        node.put("meshOwner", account);
        node.put("resourceOwner", account);
        node.put("version", r.version());
        names(node, r.key());
        return node;
    }

    private static void names(ObjectNode node, ResourceKey key) {
        node.put("meshName", key.mesh());
        if (key.kind().hasNamedParent()) {
            node.put(key.kind().parent().nameMember(), key.parent());
        }
        if (key.kind() != ResourceKind.MESH) {
            node.put(key.kind().nameMember(), key.name());
        }
    }

    /** App Mesh timestamps: epoch seconds with millisecond precision, e.g. 1563809909.282. */
    private static DecimalNode epochSeconds(long millis) {
        return DecimalNode.valueOf(BigDecimal.valueOf(millis, 3));
    }
}
