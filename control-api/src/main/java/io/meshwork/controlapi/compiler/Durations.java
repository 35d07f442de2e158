package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;

/** App Mesh durations ({@code {"unit": "s"|"ms", "value": n}}) in milliseconds. */
final class Durations {
    private Durations() {
    }

    /** Milliseconds, or null when the duration is absent. */
    static Long millis(JsonNode duration) {
        if (duration == null || !duration.isObject() || !duration.has("value")) {
            return null;
        }
        long value = duration.path("value").asLong();
        return "s".equals(duration.path("unit").asText()) ? value * 1000 : value;
    }
}
