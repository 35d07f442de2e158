package io.meshwork.eks.manifests;

import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a CRD's openAPIV3Schema (a Kubernetes structural schema) into a draft-4 JSON Schema that
 * judges an object as `kubectl apply` against the API server would:
 *
 * <ul>
 *   <li>Fields not in the schema are errors (kubectl's default strict field validation), except
 *       under {@code x-kubernetes-preserve-unknown-fields} and in {@code metadata}.
 *   <li>{@code x-kubernetes-int-or-string} becomes integer-or-string; {@code nullable} admits
 *       null; embedded resources admit apiVersion, kind and metadata.
 *   <li>Other {@code x-kubernetes-*} keywords, descriptions, defaults and formats other than
 *       date-time carry no validation here and are dropped.
 * </ul>
 */
final class StructuralSchemas {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> DROPPED = Set.of(
      "description", "default", "example", "externalDocs", "nullable", "title");
  private static final Set<String> SCHEMA_LISTS = Set.of("allOf", "anyOf", "oneOf");

  private StructuralSchemas() {}

  static ObjectNode toJsonSchema(JsonNode structural) {
    if (!structural.isObject()) {
      throw new IllegalArgumentException("a schema must be an object, not " + structural);
    }
    ObjectNode out = NODES.objectNode();
    for (Map.Entry<String, JsonNode> entry : structural.properties()) {
      String keyword = entry.getKey();
      JsonNode value = entry.getValue();
      if (DROPPED.contains(keyword) || keyword.startsWith("x-kubernetes-")) {
        continue;
      }
      switch (keyword) {
        case "properties" -> {
          ObjectNode properties = out.putObject("properties");
          value.properties().forEach(p -> properties.set(p.getKey(), toJsonSchema(p.getValue())));
        }
        case "items", "not" -> out.set(keyword, toJsonSchema(value));
        case "additionalProperties" ->
            out.set(keyword, value.isObject() ? toJsonSchema(value) : value);
        case "format" -> {
          if ("date-time".equals(value.asString())) {
            out.set(keyword, value);
          }
        }
        default -> {
          if (SCHEMA_LISTS.contains(keyword)) {
            ArrayNode list = out.putArray(keyword);
            value.forEach(s -> list.add(toJsonSchema(s)));
          } else {
            out.set(keyword, value);
          }
        }
      }
    }
    if (structural.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.remove("type");
      ArrayNode either = out.putArray("anyOf");
      either.addObject().put("type", "integer");
      either.addObject().put("type", "string");
    }
    if (structural.path("x-kubernetes-embedded-resource").asBoolean(false)) {
      ObjectNode properties = out.has("properties")
          ? (ObjectNode) out.get("properties") : out.putObject("properties");
      for (String field : new String[] {"apiVersion", "kind"}) {
        if (!properties.has(field)) {
          properties.putObject(field).put("type", "string");
        }
      }
      if (!properties.has("metadata")) {
        properties.putObject("metadata").put("type", "object");
      }
    }
    boolean preserveUnknown = structural.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if ("object".equals(structural.path("type").asString(""))
        && structural.has("properties")
        && !structural.has("additionalProperties")
        && !preserveUnknown) {
      out.put("additionalProperties", false);
    }
    if (structural.path("nullable").asBoolean(false)) {
      ObjectNode nullable = NODES.objectNode();
      ArrayNode either = nullable.putArray("anyOf");
      either.addObject().put("type", "null");
      either.add(out);
      return nullable;
    }
    return out;
  }
}
