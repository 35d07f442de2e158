package io.meshwork.controlapi.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.ShapeValidator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Collects rule violations in a spec, with the checks that several kinds share. */
public final class Violations {
    private final List<String> messages = new ArrayList<>();

    public void add(String message) {
        messages.add(message);
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    public void throwIfAny() {
        if (!messages.isEmpty()) {
            throw AppMeshException.badRequest(ShapeValidator.summary(messages));
        }
    }

    /** Exactly one of the members must be present. */
    public void exactlyOne(JsonNode node, String path, String... members) {
        int present = countPresent(node, members);
        if (present != 1) {
            add("'" + path + "' must set exactly one of " + List.of(members) + ", but sets " + present);
        }
    }

    /** At most one of the members may be present. */
    public void atMostOne(JsonNode node, String path, String... members) {
        if (countPresent(node, members) > 1) {
            add("'" + path + "' may set only one of " + List.of(members));
        }
    }

    public void startsWithSlash(JsonNode text, String path) {
        if (text.isTextual() && !text.textValue().startsWith("/")) {
            add("value '" + text.textValue() + "' at '" + path + "' must start with '/'");
        }
    }

    public void validRegex(JsonNode text, String path) {
        if (!text.isTextual()) {
            return;
        }
        try {
            Pattern.compile(text.textValue());
        } catch (PatternSyntaxException e) {
            add("value '" + text.textValue() + "' at '" + path + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** A header or metadata matcher: ranges must be non-empty, regexes must compile. */
    public void matchMethod(JsonNode match, String path) {
        validRegex(match.path("regex"), path + ".regex");
        JsonNode range = match.path("range");
        if (range.isObject() && range.path("start").canConvertToLong() && range.path("end").canConvertToLong()
                && range.path("start").longValue() >= range.path("end").longValue()) {
            add("'" + path + ".range' must have start < end (start is inclusive, end exclusive)");
        }
    }

    /** An HTTP path match: exactly one of exact (a '/'-path) and regex (that compiles). */
    public void pathMatch(JsonNode pathMatch, String path) {
        if (pathMatch.isObject()) {
            exactlyOne(pathMatch, path, "exact", "regex");
            startsWithSlash(pathMatch.path("exact"), path + ".exact");
            validRegex(pathMatch.path("regex"), path + ".regex");
        }
    }

    /** Header or metadata matchers, each checked with {@link #matchMethod}. */
    public void matchers(JsonNode list, String path) {
        for (int i = 0; i < list.size(); i++) {
            matchMethod(list.get(i).path("match"), path + "[" + i + "].match");
        }
    }

    /**
     * A route's {@code match.port} must be a port its router or gateway listens on, and is
     * required when that listens on several.
     */
    public void matchPort(JsonNode port, String path, JsonNode parentSpec, String parentType) {
        if (parentSpec == null) {
            return;
        }
        Set<Long> ports = listenerPorts(parentSpec);
        if (port.canConvertToLong()) {
            if (!ports.contains(port.longValue())) {
                add("value " + port.longValue() + " at '" + path + "' is not a port the " + parentType
                        + " listens on " + ports);
            }
        } else if (ports.size() > 1) {
            add("'" + path + "' is required: the " + parentType + " listens on several ports " + ports);
        }
    }

    /** Listener ports must differ from one another. */
    public void uniquePorts(JsonNode listeners, String path) {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            JsonNode port = listeners.get(i).path("portMapping").path("port");
            if (port.canConvertToLong() && !seen.add(port.longValue())) {
                add("'" + path + "[" + i + "].portMapping.port' repeats port " + port.longValue());
            }
        }
    }

    /** The listeners' ports, for checking a route's or health check's port against them. */
    public static Set<Long> listenerPorts(JsonNode spec) {
        Set<Long> ports = new HashSet<>();
        spec.path("listeners").forEach(l -> {
            JsonNode port = l.path("portMapping").path("port");
            if (port.canConvertToLong()) {
                ports.add(port.longValue());
            }
        });
        return ports;
    }

    private static int countPresent(JsonNode node, String... members) {
        int present = 0;
        for (String member : members) {
            if (node.hasNonNull(member)) {
                present++;
            }
        }
        return present;
    }
}
