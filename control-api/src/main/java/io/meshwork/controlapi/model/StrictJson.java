package io.meshwork.controlapi.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.error.AppMeshException;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Parses request bodies strictly (valid UTF-8, no duplicate keys, nothing after the value,
 * bounded nesting) and writes response bodies. Every parse failure is a BadRequestException.
 */
public final class StrictJson {
    private static final int MAX_NESTING = 64;

    private static final ObjectMapper MAPPER = createMapper();

    private StrictJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper createMapper() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        mapper.configure(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION, false);
        return mapper;
    }

    /** The body as a JSON object; an empty body is an empty object. */
    public static ObjectNode parseObject(byte[] body) {
        if (body == null || body.length == 0 || isBlank(body)) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (CharConversionException e) {
            throw AppMeshException.badRequest("The request body is not valid UTF-8");
        } catch (JsonProcessingException e) {
            throw AppMeshException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AppMeshException.badRequest("The request body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw AppMeshException.badRequest("The request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * The body as a record of the data-plane protocol; an empty body is an empty object. A member
     * of the wrong type is a BadRequestException naming it.
     */
    public static <T> T parse(byte[] body, Class<T> type) {
        ObjectNode object = parseObject(body);
        try {
            return MAPPER.treeToValue(object, type);
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            String member = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b).orElse("the body");
            throw AppMeshException.badRequest("'" + member + "' has the wrong type: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw AppMeshException.badRequest("The request body does not fit: " + e.getOriginalMessage());
        }
    }

    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy without null members or null list items: App Mesh never echoes JSON nulls. */
    public static JsonNode withoutNulls(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = MAPPER.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNull()) {
                    copy.set(e.getKey(), withoutNulls(e.getValue()));
                }
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = MAPPER.createArrayNode();
            node.forEach(item -> {
                if (!item.isNull()) {
                    copy.add(withoutNulls(item));
                }
            });
            return copy;
        }
        return node;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
