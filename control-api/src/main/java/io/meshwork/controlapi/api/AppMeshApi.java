package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.Authorizer;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.model.ApiModel;
import io.meshwork.controlapi.model.OperationInputReader;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.arn.ResourceArn;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.function.Function;

/**
 * The skeleton every App Mesh operation runs through: read and validate the input against the
 * API model, check the caller's policy for {@code appmesh:<Operation>} on the target ARN, do
 * the work, answer 200 with the output. The caller's signature was verified before the request
 * got here ({@link AuthenticationFilter}).
 */
@Singleton
public final class AppMeshApi {
    private final Authorizer authorizer;
    private final OperationInputReader inputs = new OperationInputReader(ApiModel.appMesh());
    private final ResourceArn arns;

    public AppMeshApi(Authorizer authorizer, ControlApiSettings settings) {
        this.authorizer = authorizer;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
    }

    HttpResponse<byte[]> call(HttpRequest<?> request, byte[] body, String operation, Map<String, String> pathParams,
                              AuthTarget target, Function<ObjectNode, JsonNode> work) {
        ObjectNode input = inputs.read(operation, pathParams, request.getParameters().asMap(), body);
        authorize(request, "appmesh:" + operation, target.arn(input, arns));
        return ok(work.apply(input));
    }

    /**
     * A Meshwork extension outside the App Mesh model (access keys): authorized the same way,
     * with the body parsed strictly but validated by the caller.
     */
    HttpResponse<byte[]> callExtension(HttpRequest<?> request, byte[] body, String action, String resourceArn,
                                       Function<ObjectNode, JsonNode> work) {
        return callExtension(request, body, action, input -> resourceArn, work);
    }

    /** As above, for an extension whose target resource is named in the body. */
    HttpResponse<byte[]> callExtension(HttpRequest<?> request, byte[] body, String action,
                                       Function<ObjectNode, String> resourceArn, Function<ObjectNode, JsonNode> work) {
        ObjectNode input = StrictJson.parseObject(body);
        authorize(request, action, resourceArn.apply(input));
        return ok(work.apply(input));
    }

    /** ForbiddenException unless the policy of the key that signed the request allows {@code action} on the ARN. */
    void authorize(HttpRequest<?> request, String action, String resourceArn) {
        authorizer.check(AuthenticationFilter.caller(request), action, resourceArn);
    }

    static HttpResponse<byte[]> ok(JsonNode output) {
        return HttpResponse.ok(StrictJson.bytes(output)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
