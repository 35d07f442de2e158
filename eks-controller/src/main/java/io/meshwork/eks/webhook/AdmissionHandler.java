package io.meshwork.eks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.KubeJson;
import io.meshwork.proxyapi.SnapshotJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One {@code AdmissionReview} in, its answer out, on App Mesh's webhook paths. Both
 * {@code admission.k8s.io/v1} and {@code v1beta1} are answered, each in its own version (App Mesh's
 * chart registered v1beta1, its code v1): the request's {@code uid} echoed, {@code allowed}, and a
 * base64 JSON Patch ({@code patchType: JSONPatch}) when the object is to change.
 */
public final class AdmissionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionHandler.class);
    public static final String POD_PATH = "/mutate-v1-pod";
    public static final String MUTATE_PREFIX = "/mutate-appmesh-k8s-aws-v1beta2-";
    public static final String VALIDATE_PREFIX = "/validate-appmesh-k8s-aws-v1beta2-";

    private final PodInjector injector;
    private final CustomResourceAdmission resources;

    public AdmissionHandler(PodInjector injector, CustomResourceAdmission resources) {
        this.injector = injector;
        this.resources = resources;
    }

    /** Whether {@code path} is one of the webhook paths. */
    public static boolean serves(String path) {
        return path.equals(POD_PATH) || kindOf(path, MUTATE_PREFIX).isPresent() || kindOf(path, VALIDATE_PREFIX).isPresent();
    }

    public JsonNode handle(String path, JsonNode review) throws InjectionRefusedException {
        String apiVersion = review.path("apiVersion").asText("");
        if (!apiVersion.equals("admission.k8s.io/v1") && !apiVersion.equals("admission.k8s.io/v1beta1")) {
            throw new InjectionRefusedException("expected an AdmissionReview of admission.k8s.io/v1 or v1beta1, got apiVersion " + apiVersion);
        }
        JsonNode request = review.path("request");
        if (!request.hasNonNull("uid")) {
            throw new InjectionRefusedException("the AdmissionReview has no request.uid");
        }
        ObjectNode answer = SnapshotJson.mapper().createObjectNode();
        answer.put("apiVersion", apiVersion);
        answer.put("kind", "AdmissionReview");
        ObjectNode response = answer.putObject("response");
        response.put("uid", request.get("uid").asText());
        try {
            decide(path, request, response);
        } catch (InjectionRefusedException e) {
            deny(response, 400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{}: {}", path, e.toString(), e);
            deny(response, 500, "meshwork-controller could not handle the request: " + e);
        }
        return answer;
    }

    private void decide(String path, JsonNode request, ObjectNode response) throws InjectionRefusedException {
        String operation = request.path("operation").asText("");
        String namespace = request.path("namespace").asText(null);
        JsonNode object = request.path("object");
        if (path.equals(POD_PATH)) {
            if (!operation.equals("CREATE") || !object.isObject()) {
                response.put("allowed", true);
                return;
            }
            Optional<ObjectNode> injected = injector.inject((ObjectNode) object, namespace);
            allowWith(response, object, injected.orElse(null));
            return;
        }
        Optional<AppMeshKind> mutating = kindOf(path, MUTATE_PREFIX);
        if (mutating.isPresent()) {
            if (!(operation.equals("CREATE") || operation.equals("UPDATE")) || !object.isObject()) {
                response.put("allowed", true);
                return;
            }
            allowWith(response, object, resources.mutate(mutating.get(), (ObjectNode) object, namespace));
            return;
        }
        AppMeshKind kind = kindOf(path, VALIDATE_PREFIX).orElseThrow(() -> new InjectionRefusedException("no webhook at " + path));
        if (!(operation.equals("CREATE") || operation.equals("UPDATE"))) {
            response.put("allowed", true);
            return;
        }
        List<String> problems = resources.validate(kind, object, operation.equals("UPDATE") ? request.path("oldObject") : null);
        if (problems.isEmpty()) {
            response.put("allowed", true);
        } else {
            deny(response, 403, kind.kind() + " " + object.path("metadata").path("name").asText() + ": " + String.join("; ", problems));
        }
    }

    private static void allowWith(ObjectNode response, JsonNode before, JsonNode after) {
        response.put("allowed", true);
        if (after == null) {
            return;
        }
        JsonNode patch = KubeJson.patch(before, after);
        if (!patch.isEmpty()) {
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static void deny(ObjectNode response, int code, String message) {
        response.put("allowed", false);
        response.putObject("status").put("code", code).put("message", message);
    }

    private static Optional<AppMeshKind> kindOf(String path, String prefix) {
        return path.startsWith(prefix) ? AppMeshKind.ofPathSegment(path.substring(prefix.length())) : Optional.empty();
    }
}
