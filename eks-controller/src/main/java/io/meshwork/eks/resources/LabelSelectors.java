package io.meshwork.eks.resources;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes label selectors ({@code matchLabels} and {@code matchExpressions}) as App Mesh's
 * controller applied them: an absent selector selects nothing, an empty one everything.
 */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    public static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isNull() || selector.isMissingNode()) {
            return false;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        var matchLabels = selector.path("matchLabels").properties();
        for (var entry : matchLabels) {
            if (!entry.getValue().asText().equals(have.get(entry.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean present = have.containsKey(key);
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> present && values.contains(have.get(key));
                case "NotIn" -> !present || !values.contains(have.get(key));
                case "Exists" -> present;
                case "DoesNotExist" -> !present;
                default -> throw new IllegalArgumentException("unknown label selector operator " + expression.path("operator").asText());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
