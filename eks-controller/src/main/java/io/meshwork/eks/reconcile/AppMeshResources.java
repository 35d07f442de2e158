package io.meshwork.eks.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.SignedControlApiClient;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Describe, create, update and delete of App Mesh resources on the control API, signed. */
public final class AppMeshResources {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final SignedControlApiClient api;

    public AppMeshResources(SignedControlApiClient api) {
        this.api = api;
    }

    /** The resource at {@code path}, or empty when it does not exist. */
    public Optional<JsonNode> describe(String path) throws ControlApiException {
        try {
            return Optional.of(call("GET", path, null));
        } catch (ControlApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code clientToken}: a new one per create; a describe before each create finds one that went through. */
    public JsonNode create(String collectionPath, String nameField, String name, ObjectNode spec, String clientToken)
            throws ControlApiException {
        ObjectNode body = SnapshotJson.mapper().createObjectNode();
        body.put(nameField, name);
        body.set("spec", spec);
        body.put("clientToken", clientToken);
        return call("PUT", collectionPath, body);
    }

    public JsonNode update(String resourcePath, ObjectNode spec) throws ControlApiException {
        ObjectNode body = SnapshotJson.mapper().createObjectNode();
        body.set("spec", spec);
        return call("PUT", resourcePath, body);
    }

    /** Deletes; true when it was there. */
    public boolean delete(String resourcePath) throws ControlApiException {
        try {
            call("DELETE", resourcePath, null);
            return true;
        } catch (ControlApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** The names in a list answer ({@code routes[].routeName}, ...), following pagination. */
    public java.util.List<String> listNames(String collectionPath, String listField, String nameField) throws ControlApiException {
        java.util.List<String> names = new java.util.ArrayList<>();
        String token = null;
        do {
            String query = token == null ? "" : (collectionPath.contains("?") ? "&" : "?") + "nextToken=" + SignedControlApiClient.encode(token);
            JsonNode page = call("GET", collectionPath + query, null);
            page.path(listField).forEach(r -> names.add(r.path(nameField).asText()));
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        return names;
    }

    private JsonNode call(String method, String path, JsonNode body) throws ControlApiException {
        HttpResponse<byte[]> response;
        try {
            response = api.send(method, path, body == null ? null : SnapshotJson.mapper().writeValueAsBytes(body), TIMEOUT);
        } catch (IOException e) {
            throw new ControlApiException(503, "Unreachable", "control API unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlApiException(503, "Interrupted", "interrupted");
        }
        byte[] bytes = response.body() == null ? new byte[0] : response.body();
        if (response.statusCode() / 100 != 2) {
            String type = response.headers().firstValue("x-amzn-ErrorType").orElse("HTTP" + response.statusCode()).replaceAll(":.*$", "");
            String message;
            try {
                message = SnapshotJson.mapper().readTree(bytes).path("message").asText(new String(bytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                message = new String(bytes, StandardCharsets.UTF_8);
            }
            throw new ControlApiException(response.statusCode(), type, message);
        }
        try {
            return bytes.length == 0 ? SnapshotJson.mapper().createObjectNode() : SnapshotJson.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new ControlApiException(502, "BadResponse", "control API answered with unreadable JSON: " + e.getMessage());
        }
    }
}
