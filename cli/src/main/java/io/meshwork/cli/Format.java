package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/** How numbers read in text output. */
final class Format {
    private Format() {
    }

    static String rps(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "-" : String.format(Locale.ROOT, v.asDouble() >= 100 ? "%.0f" : "%.2f", v.asDouble());
    }

    static String percent(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.2f%%", v.asDouble() * 100);
    }

    static String millis(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "-" : String.format(Locale.ROOT, v.asDouble() >= 100 ? "%.0fms" : "%.1fms", v.asDouble());
    }

    /** A span of seconds as people read it: 45s, 12m, 5.5h, 12d. */
    static String span(double seconds) {
        double s = Math.abs(seconds);
        String text = s < 120 ? String.format(Locale.ROOT, "%.0fs", s) : s < 7200 ? String.format(Locale.ROOT, "%.0fm", s / 60)
                : s < 172_800 ? String.format(Locale.ROOT, "%.1fh", s / 3600) : String.format(Locale.ROOT, "%.0fd", s / 86400);
        return seconds < 0 ? "-" + text : text;
    }

    static String shortVersion(String version) {
        return version == null || version.isEmpty() ? "-" : version.length() > 12 ? version.substring(0, 12) : version;
    }
}
