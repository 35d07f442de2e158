package io.meshwork.controlapi.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.error.AppMeshException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value against a shape of the API model: types, required members, unions
 * with exactly one member, string lengths and patterns, numeric ranges, list sizes and
 * enums. Unknown members are refused rather than dropped, so nothing a client sends is
 * silently lost. All violations are reported together, each naming where it is and what was
 * expected.
 */
public final class ShapeValidator {
    private static final int MAX_REPORTED = 10;

    /**
     * Members the model leaves optional but App Mesh could not do without: a duration with no
     * unit or no value has no meaning, so the service required both.
     */
    private static final Map<String, List<String>> ALSO_REQUIRED = Map.of("Duration", List.of("unit", "value"));

    private final ApiModel model;

    public ShapeValidator(ApiModel model) {
        this.model = model;
    }

    /** Throws BadRequestException listing every violation, or returns normally. */
    public void validate(String shapeName, JsonNode value, String path) {
        List<String> errors = new ArrayList<>();
        check(model.shape(shapeName), value, path, errors);
        if (!errors.isEmpty()) {
            throw AppMeshException.badRequest(summary(errors));
        }
    }

    /** Checks only the body members of a structure, the others having come from the URI. */
    public void validateMembers(ApiModel.Shape shape, JsonNode value, List<String> errors) {
        check(shape, value, "", errors);
    }

    public static String summary(List<String> errors) {
        StringBuilder sb = new StringBuilder();
        sb.append(errors.size()).append(errors.size() == 1 ? " validation error detected: " : " validation errors detected: ");
        for (int i = 0; i < errors.size() && i < MAX_REPORTED; i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(errors.get(i));
        }
        if (errors.size() > MAX_REPORTED) {
            sb.append("; and ").append(errors.size() - MAX_REPORTED).append(" more");
        }
        return sb.toString();
    }

    private void check(ApiModel.Shape shape, JsonNode value, String path, List<String> errors) {
        switch (shape.type()) {
            case "structure" -> checkStructure(shape, value, path, errors);
            case "list" -> checkList(shape, value, path, errors);
            case "string" -> checkString(shape, value, path, errors);
            case "integer" -> checkNumber(shape, value, path, errors, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case "long" -> checkNumber(shape, value, path, errors, Long.MIN_VALUE, Long.MAX_VALUE);
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(at(path) + " must be a boolean, got " + describe(value));
                }
            }
            default -> errors.add(at(path) + " cannot be set by a client");
        }
    }

    private void checkStructure(ApiModel.Shape shape, JsonNode value, String path, List<String> errors) {
        if (!value.isObject()) {
            errors.add(at(path) + " must be a JSON object, got " + describe(value));
            return;
        }
        int present = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            ApiModel.Member member = shape.members().get(field.getKey());
            String childPath = join(path, field.getKey());
            if (member == null || !member.inBody()) {
                errors.add("unknown field " + quoted(childPath) + expectedMembers(shape));
                continue;
            }
            if (field.getValue().isNull()) {
                continue;
            }
            present++;
            check(model.shape(member.shape()), field.getValue(), childPath, errors);
        }
        List<String> required = new ArrayList<>(shape.required());
        required.addAll(ALSO_REQUIRED.getOrDefault(shape.name(), List.of()));
        for (String name : required) {
            ApiModel.Member member = shape.members().get(name);
            if (member != null && member.inBody() && isAbsent(value.get(name))) {
                errors.add(at(join(path, name)) + " is required");
            }
        }
        if (shape.union() && present != 1) {
            errors.add(at(path) + " must set exactly one of " + shape.members().keySet() + ", but sets " + present);
        }
    }

    private void checkList(ApiModel.Shape shape, JsonNode value, String path, List<String> errors) {
        if (!value.isArray()) {
            errors.add(at(path) + " must be a JSON array, got " + describe(value));
            return;
        }
        bounds(shape, value.size(), path, errors, "have at least %d items", "have at most %d items");
        ApiModel.Shape member = model.shape(shape.listMember());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String itemPath = path + "[" + i + "]";
            if (item.isNull()) {
                errors.add(at(itemPath) + " must not be null");
            } else {
                check(member, item, itemPath, errors);
            }
        }
    }

    private static void checkString(ApiModel.Shape shape, JsonNode value, String path, List<String> errors) {
        if (!value.isTextual()) {
            errors.add(at(path) + " must be a string, got " + describe(value));
            return;
        }
        String text = value.textValue();
        bounds(shape, text.codePointCount(0, text.length()), path, errors,
                "have length greater than or equal to %d", "have length less than or equal to %d");
        if (shape.enumValues() != null && !shape.enumValues().contains(text)) {
            errors.add("value " + quoted(text) + " at " + quoted(path) + " must be one of " + shape.enumValues());
        }
        if (shape.pattern() != null && !shape.pattern().matcher(text).matches()) {
            errors.add("value " + quoted(text) + " at " + quoted(path) + " must match pattern " + shape.pattern().pattern());
        }
    }

    private static void checkNumber(ApiModel.Shape shape, JsonNode value, String path, List<String> errors,
                                    long typeMin, long typeMax) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()
                || value.longValue() < typeMin || value.longValue() > typeMax) {
            errors.add(at(path) + " must be a whole number between " + typeMin + " and " + typeMax + ", got "
                    + describe(value));
            return;
        }
        long n = value.longValue();
        if (shape.min() != null && n < shape.min()) {
            errors.add("value " + n + " at " + quoted(path) + " must be greater than or equal to " + shape.min());
        }
        if (shape.max() != null && n > shape.max()) {
            errors.add("value " + n + " at " + quoted(path) + " must be less than or equal to " + shape.max());
        }
    }

    private static void bounds(ApiModel.Shape shape, long size, String path, List<String> errors,
                               String minText, String maxText) {
        if (shape.min() != null && size < shape.min()) {
            errors.add(at(path) + " must " + String.format(minText, shape.min()));
        }
        if (shape.max() != null && size > shape.max()) {
            errors.add(at(path) + " must " + String.format(maxText, shape.max()));
        }
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static String expectedMembers(ApiModel.Shape shape) {
        List<String> names = shape.members().values().stream().filter(ApiModel.Member::inBody).map(ApiModel.Member::name).toList();
        return names.isEmpty() ? "" : " (expected one of " + names + ")";
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String at(String path) {
        return path.isEmpty() ? "the request body" : "'" + path + "'";
    }

    private static String quoted(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + shown + "'";
    }

    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "string " + quoted(value.textValue());
        }
        if (value.isNumber()) {
            return "number " + value.asText();
        }
        return value.getNodeType().name().toLowerCase();
    }
}
