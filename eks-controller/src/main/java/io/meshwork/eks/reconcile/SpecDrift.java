package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether an App Mesh resource still says exactly what its custom resource says: nothing missing,
 * changed or added, lists element by element, numbers by value. The control API returns a spec as
 * it was given (no defaults filled in), so anything more was put there by someone else and is
 * taken away again, as a field removed from the custom resource must be.
 */
final class SpecDrift {
    private SpecDrift() {
    }

    static boolean drifted(JsonNode actual, JsonNode desired) {
        return !covers(actual, desired) || !covers(desired, actual);
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
