package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether an App Mesh resource still says what its custom resource says. The control API fills in
 * defaults (a mesh's egress filter, a listener's timeouts), so the resource may say more than
 * the custom resource; what the custom resource says must be there, lists element by element.
 */
final class SpecDrift {
    private SpecDrift() {
    }

    static boolean drifted(JsonNode actual, JsonNode desired) {
        return !covers(actual, desired);
    }

    private static boolean covers(JsonNode actual, JsonNode desired) {
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            for (var field : desired.properties()) {
                JsonNode there = actual.get(field.getKey());
                if (there == null || there.isNull()) {
                    if (!field.getValue().isNull()) {
                        return false;
                    }
                } else if (!covers(there, field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!actual.isArray() || actual.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!covers(actual.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isNumber() && actual.isNumber()) {
            return desired.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return desired.equals(actual) || desired.asText().equals(actual.asText()) && desired.isValueNode() && actual.isValueNode();
    }
}
