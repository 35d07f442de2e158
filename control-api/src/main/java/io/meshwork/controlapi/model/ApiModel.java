package io.meshwork.controlapi.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The App Mesh 2019-01-25 API model: every operation's input shape and every shape's
 * constraints. Loaded once from {@code appmesh/model-2019-01-25.json}, which
 * {@code tools/extract-appmesh-model.py} derives from the model the AWS SDKs are generated
 * from, so that validation here accepts exactly what the real service's clients may send.
 */
public final class ApiModel {
    private static final String RESOURCE = "appmesh/model-2019-01-25.json";

    /** A member of a structure; {@code location} is {@code uri}, {@code querystring} or null (body). */
    public record Member(String name, String shape, String location, String locationName, boolean idempotencyToken) {
        public boolean inBody() {
            return location == null;
        }
    }

    public record Shape(String name, String type, List<String> required, Long min, Long max, List<String> enumValues,
                        Pattern pattern, boolean union, Map<String, Member> members, String listMember) {
    }

    public record Operation(String name, String method, String requestUri, String input, String output) {
    }

    private final Map<String, Shape> shapes;
    private final Map<String, Operation> operations;

    private ApiModel(Map<String, Shape> shapes, Map<String, Operation> operations) {
        this.shapes = shapes;
        this.operations = operations;
    }

    private static final ApiModel INSTANCE = load();

    public static ApiModel appMesh() {
        return INSTANCE;
    }

    public Shape shape(String name) {
        Shape shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("unknown shape " + name);
        }
        return shape;
    }

    public Operation operation(String name) {
        Operation operation = operations.get(name);
        if (operation == null) {
            throw new IllegalArgumentException("unknown operation " + name);
        }
        return operation;
    }

    public Map<String, Operation> operations() {
        return operations;
    }

    private static ApiModel load() {
        try (InputStream in = ApiModel.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Shape> shapes = new LinkedHashMap<>();
            root.get("shapes").fields().forEachRemaining(e -> shapes.put(e.getKey(), shape(e.getKey(), e.getValue())));
            Map<String, Operation> operations = new LinkedHashMap<>();
            root.get("operations").fields().forEachRemaining(e -> {
                JsonNode op = e.getValue();
                operations.put(e.getKey(), new Operation(e.getKey(), op.path("method").asText(),
                        op.path("requestUri").asText(), op.path("input").asText(null), op.path("output").asText(null)));
            });
            return new ApiModel(Collections.unmodifiableMap(shapes), Collections.unmodifiableMap(operations));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Shape shape(String name, JsonNode node) {
        Map<String, Member> members = new LinkedHashMap<>();
        node.path("members").fields().forEachRemaining(e -> {
            JsonNode m = e.getValue();
            members.put(e.getKey(), new Member(e.getKey(), m.path("shape").asText(), m.path("location").asText(null),
                    m.path("locationName").asText(null), m.path("idempotencyToken").asBoolean(false)));
        });
        return new Shape(name, node.path("type").asText(), strings(node.path("required")),
                node.has("min") ? node.get("min").asLong() : null,
                node.has("max") ? node.get("max").asLong() : null,
                node.has("enum") ? strings(node.get("enum")) : null,
                node.has("pattern") ? Pattern.compile(node.get("pattern").asText()) : null,
                node.path("union").asBoolean(false), Collections.unmodifiableMap(members),
                node.path("member").asText(null));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}
