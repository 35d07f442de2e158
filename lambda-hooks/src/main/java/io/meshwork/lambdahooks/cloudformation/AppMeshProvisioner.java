package io.meshwork.lambdahooks.cloudformation;

import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.SignedControlApiClient;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * CloudFormation's Create, Update and Delete of a {@code Custom::Meshwork*} resource, carried out
 * on the control API with CloudFormation's semantics: the physical id is the ARN; a changed name
 * (or mesh, owner, router, gateway) is a replacement, a new resource and physical id, the old one
 * deleted by CloudFormation afterwards; deleting what is gone succeeds; a create that fails made
 * nothing (it is one API call, idempotent by its client token).
 */
public final class AppMeshProvisioner {
    /** What CloudFormation is told. */
    public record Outcome(String physicalResourceId, Map<String, String> data) {
    }

    private final SignedControlApiClient api;

    public AppMeshProvisioner(SignedControlApiClient api) {
        this.api = api;
    }

    public Outcome handle(CloudFormationCustomResourceEvent event, Duration callTimeout) throws IOException, InterruptedException {
        MeshworkResourceType type = MeshworkResourceType.of(event.getResourceType()).orElseThrow(() -> new IllegalArgumentException(
                "Unsupported resource type " + event.getResourceType() + ": Meshwork's handler takes Custom::MeshworkMesh,"
                        + " Custom::MeshworkVirtualNode, Custom::MeshworkVirtualService, Custom::MeshworkVirtualRouter,"
                        + " Custom::MeshworkRoute, Custom::MeshworkVirtualGateway and Custom::MeshworkGatewayRoute"));
        if ("Delete".equals(event.getRequestType())) {
            // A rollback's or a stack deletion's Delete must succeed whatever the properties say: a
            // create that failed made nothing, and properties that failed their checks must not
            // strand the stack in DELETE_FAILED.
            String physicalId = event.getPhysicalResourceId();
            if (physicalId == null || !physicalId.startsWith("arn:")) {
                return new Outcome(physicalId, Map.of());
            }
            delete(type, Properties.lenient(type, event.getResourceProperties()), physicalId, callTimeout);
            return new Outcome(physicalId, Map.of());
        }
        Properties props = Properties.of(type, event.getResourceProperties());
        switch (event.getRequestType()) {
            case "Create":
                return create(type, props, event.getRequestId(), callTimeout);
            case "Update": {
                // The old properties are what the resource was made with, or what a failed update
                // left; a rollback must get through either.
                Properties old = Properties.lenient(type, event.getOldResourceProperties());
                if (!props.sameIdentity(old)) {
                    return create(type, props, event.getRequestId(), callTimeout); // replacement: CloudFormation deletes the old one
                }
                return update(type, props, old, event.getPhysicalResourceId(), event.getRequestId(), callTimeout);
            }
            default:
                throw new IllegalArgumentException("Unknown RequestType " + event.getRequestType());
        }
    }

    private Outcome create(MeshworkResourceType type, Properties props, String requestId, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode body = SnapshotJson.mapper().createObjectNode();
        body.put(type.nameField(), props.name());
        body.set("spec", props.apiSpec());
        if (props.tags().size() > 0) {
            body.set("tags", props.tags());
        }
        // A retried create (the same request) finds the resource made the first time.
        body.put("clientToken", requestId);
        JsonNode created = call("PUT", type.collectionPath(props.mesh(), props.parent()) + props.ownerQuery(), body, timeout, type, props);
        return outcome(type, created);
    }

    private Outcome update(MeshworkResourceType type, Properties props, Properties old, String physicalId, String requestId,
                           Duration timeout) throws IOException, InterruptedException {
        ObjectNode body = SnapshotJson.mapper().createObjectNode();
        body.set("spec", props.apiSpec());
        body.put("clientToken", requestId);
        JsonNode updated = call("PUT", type.resourcePath(props.mesh(), props.parent(), props.name()) + props.ownerQuery(), body, timeout,
                type, props);
        String arn = updated.path("metadata").path("arn").asText(physicalId);
        retag(arn, tagMap(old.tags()), tagMap(props.tags()), timeout, type, props);
        return outcome(type, updated);
    }

    private void delete(MeshworkResourceType type, Properties props, String physicalId, Duration timeout)
            throws IOException, InterruptedException {
        // The physical id says what to delete, whatever the (possibly broken) properties say.
        String[] path = physicalId.substring(physicalId.indexOf(":mesh/") + ":mesh/".length()).split("/");
        String mesh = path[0];
        String parent = path.length == 5 ? path[2] : null;
        String name = path[path.length - 1];
        HttpResponse<byte[]> response = api.send("DELETE", type.resourcePath(mesh, parent, name) + props.ownerQuery(), null, timeout);
        if (response.statusCode() == 404) {
            return; // already gone: CloudFormation's Delete succeeds
        }
        check(response, type, props);
    }

    private void retag(String arn, Map<String, String> before, Map<String, String> after, Duration timeout, MeshworkResourceType type,
                       Properties props) throws IOException, InterruptedException {
        String query = "?resourceArn=" + SignedControlApiClient.encode(arn);
        ArrayNode removed = SnapshotJson.mapper().createArrayNode();
        before.keySet().stream().filter(k -> !after.containsKey(k)).forEach(removed::add);
        if (!removed.isEmpty()) {
            ObjectNode untag = SnapshotJson.mapper().createObjectNode();
            untag.set("tagKeys", removed);
            call("PUT", "/v20190125/untag" + query, untag, timeout, type, props);
        }
        ArrayNode changed = SnapshotJson.mapper().createArrayNode();
        after.forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                changed.addObject().put("key", k).put("value", v);
            }
        });
        if (!changed.isEmpty()) {
            ObjectNode tag = SnapshotJson.mapper().createObjectNode();
            tag.set("tags", changed);
            call("PUT", "/v20190125/tag" + query, tag, timeout, type, props);
        }
    }

    private JsonNode call(String method, String path, JsonNode body, Duration timeout, MeshworkResourceType type, Properties props)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = api.send(method, path, SnapshotJson.mapper().writeValueAsBytes(body), timeout);
        check(response, type, props);
        byte[] bytes = response.body();
        return bytes == null || bytes.length == 0 ? SnapshotJson.mapper().createObjectNode() : SnapshotJson.mapper().readTree(bytes);
    }

    /** An answer that is no success becomes a reason a person can act on: what, where, and App Mesh's own message. */
    private static void check(HttpResponse<byte[]> response, MeshworkResourceType type, Properties props) {
        if (response.statusCode() / 100 == 2) {
            return;
        }
        String error = response.headers().firstValue("x-amzn-ErrorType").orElse("HTTP " + response.statusCode());
        String message;
        try {
            message = SnapshotJson.mapper().readTree(response.body()).path("message").asText(new String(response.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            message = new String(response.body(), StandardCharsets.UTF_8);
        }
        throw new IllegalStateException(type.appMeshType() + " " + props.describe() + ": " + error.replaceAll(":.*$", "") + ": " + message);
    }

    /** The physical id (the ARN) and the GetAtt attributes of App Mesh's type. */
    private static Outcome outcome(MeshworkResourceType type, JsonNode resource) {
        JsonNode metadata = resource.path("metadata");
        String arn = metadata.path("arn").asText();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("Arn", arn);
        data.put("Id", arn);
        data.put("MeshName", resource.path("meshName").asText());
        data.put("MeshOwner", metadata.path("meshOwner").asText());
        data.put("ResourceOwner", metadata.path("resourceOwner").asText());
        data.put("Uid", metadata.path("uid").asText());
        if (type != MeshworkResourceType.MESH) {
            data.put(type.nameProperty(), resource.path(type.nameField()).asText());
        }
        if (type.parentProperty() != null) {
            String field = Character.toLowerCase(type.parentProperty().charAt(0)) + type.parentProperty().substring(1);
            data.put(type.parentProperty(), resource.path(field).asText());
        }
        return new Outcome(arn, data);
    }

    private static Map<String, String> tagMap(ArrayNode tags) {
        Map<String, String> out = new TreeMap<>();
        tags.forEach(t -> out.put(t.path("key").asText(), t.path("value").asText()));
        return out;
    }

    /** A resource's properties as CloudFormation sent them, checked against its type. */
    record Properties(MeshworkResourceType type, JsonNode raw) {
        /** Properties as they came, unchecked: to delete by, or to compare with. */
        static Properties lenient(MeshworkResourceType type, Map<String, Object> properties) {
            return new Properties(type, SnapshotJson.mapper().valueToTree(properties == null ? Map.of() : properties));
        }

        static Properties of(MeshworkResourceType type, Map<String, Object> properties) {
            JsonNode raw = SnapshotJson.mapper().valueToTree(properties == null ? Map.of() : properties);
            raw.fieldNames().forEachRemaining(name -> {
                if (!name.equals("ServiceToken") && !type.properties().contains(name)) {
                    throw new IllegalArgumentException("Unknown property " + name + ": " + type.customType() + " takes the properties of "
                            + type.appMeshType() + " (" + String.join(", ", type.properties()) + ") and ServiceToken");
                }
            });
            Properties props = new Properties(type, raw);
            for (String required : type.identityProperties()) {
                if (!required.equals("MeshOwner") && props.text(required) == null) {
                    throw new IllegalArgumentException(type.customType() + " needs the property " + required);
                }
            }
            if (type != MeshworkResourceType.MESH && raw.get("Spec") == null) {
                throw new IllegalArgumentException(type.customType() + " needs the property Spec");
            }
            return props;
        }

        String text(String property) {
            JsonNode value = raw.get(property);
            return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
        }

        String mesh() {
            return text("MeshName");
        }

        String name() {
            return text(type.nameProperty());
        }

        String parent() {
            return type.parentProperty() == null ? null : text(type.parentProperty());
        }

        String ownerQuery() {
            String owner = text("MeshOwner");
            return owner == null ? "" : "?meshOwner=" + SignedControlApiClient.encode(owner);
        }

        boolean sameIdentity(Properties old) {
            return type.identityProperties().stream().allMatch(p -> Objects.equals(text(p), old.text(p)));
        }

        ObjectNode apiSpec() {
            JsonNode spec = raw.get("Spec");
            return spec == null || spec.isNull() ? SnapshotJson.mapper().createObjectNode() : CfnSpec.toApi(spec, type.spec(), "Spec");
        }

        /** CloudFormation's [{Key, Value}] as the API's [{key, value}]. */
        ArrayNode tags() {
            ArrayNode out = SnapshotJson.mapper().createArrayNode();
            JsonNode tags = raw.get("Tags");
            if (tags == null || tags.isNull()) {
                return out;
            }
            if (!tags.isArray()) {
                throw new IllegalArgumentException("Tags must be a list of {Key, Value}");
            }
            for (JsonNode tag : tags) {
                if (!tag.path("Key").isTextual()) {
                    throw new IllegalArgumentException("each of Tags needs a Key, got " + tag);
                }
                out.addObject().put("key", tag.path("Key").asText()).put("value", tag.path("Value").asText(""));
            }
            return out;
        }

        String describe() {
            StringBuilder s = new StringBuilder();
            if (mesh() != null && type != MeshworkResourceType.MESH) {
                s.append(mesh()).append('/');
            }
            if (parent() != null) {
                s.append(parent()).append('/');
            }
            return s.append(name()).toString();
        }
    }
}
