package io.meshwork.controlapi.auth.keys;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.model.StrictJson;

import java.util.List;

/** Writes a policy back as the IAM JSON it was parsed from. */
public final class PolicyJson {
    private PolicyJson() {
    }

    public static ObjectNode toJson(PolicyDocument policy) {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        root.put("Version", "2012-10-17");
        ArrayNode statements = root.putArray("Statement");
        for (PolicyDocument.Statement s : policy.statements()) {
            ObjectNode node = statements.addObject();
            node.put("Effect", s.effect() == PolicyDocument.Effect.ALLOW ? "Allow" : "Deny");
            list(node, "Action", s.actions());
            list(node, "NotAction", s.notActions());
            list(node, "Resource", s.resources());
            list(node, "NotResource", s.notResources());
        }
        return root;
    }

    private static void list(ObjectNode node, String name, List<String> values) {
        if (values != null) {
            ArrayNode array = node.putArray(name);
            values.forEach(array::add);
        }
    }
}
