package io.meshwork.terraform.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a saved plan would change ({@code terraform show -json}), leaving out attributes moto is
 * known not to keep, so that "no changes" means what it would against AWS.
 */
public final class PlanChanges {
    /**
     * moto 5.2.1 keeps neither of these on an ECS service: every plan wants to set them again
     * (terraform/README.md lists what moto cannot hold).
     */
    public static final Map<String, Set<String>> MOTO_GAPS = Map.of(
            "aws_ecs_service", Set.of("availability_zone_rebalancing", "health_check_grace_period_seconds"));

    private PlanChanges() {
    }

    /** The resources the plan changes beyond moto's gaps, with the attributes that differ. */
    public static List<String> beyondMotoGaps(String showJson) throws IOException {
        JsonNode plan = new ObjectMapper().readTree(showJson);
        List<String> changes = new ArrayList<>();
        for (JsonNode change : plan.path("resource_changes")) {
            JsonNode actions = change.path("change").path("actions");
            if (actions.size() == 1 && ("no-op".equals(actions.get(0).asText()) || "read".equals(actions.get(0).asText()))) {
                continue;
            }
            Set<String> ignored = MOTO_GAPS.getOrDefault(change.path("type").asText(), Set.of());
            if (actions.size() == 1 && "update".equals(actions.get(0).asText())) {
                List<String> differing = differing(change.path("change").path("before"), change.path("change").path("after"), ignored);
                if (differing.isEmpty()) {
                    continue;
                }
                changes.add(change.path("address").asText() + " " + differing);
            } else {
                changes.add(change.path("address").asText() + " " + actions);
            }
        }
        return changes;
    }

    private static List<String> differing(JsonNode before, JsonNode after, Set<String> ignored) {
        List<String> out = new ArrayList<>();
        ObjectNode all = new ObjectMapper().createObjectNode();
        before.fieldNames().forEachRemaining(n -> all.put(n, true));
        after.fieldNames().forEachRemaining(n -> all.put(n, true));
        all.fieldNames().forEachRemaining(name -> {
            if (!ignored.contains(name) && !before.path(name).equals(after.path(name)) && !after.path(name).isMissingNode()) {
                out.add(name);
            }
        });
        return out;
    }
}
