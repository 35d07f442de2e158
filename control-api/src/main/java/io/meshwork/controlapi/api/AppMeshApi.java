package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.Authenticator;
import io.meshwork.controlapi.auth.Authorizer;
import io.meshwork.controlapi.auth.keys.AccessKey;
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
 * The skeleton every App Mesh operation runs through: verify the signature, read and
 * validate the input against the API model, check the caller's policy for
 * {@code appmesh:<Operation>} on the target ARN, do the work, answer 200 with the output.
 */
@Singleton
public final class AppMeshApi {
    public static final String CALLER_ATTRIBUTE = "meshwork.caller";

    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final OperationInputReader inputs = new OperationInputReader(ApiModel.appMesh());
    private final ResourceArn arns;

    public AppMeshApi(Authenticator authenticator, Authorizer authorizer, ControlApiSettings settings) {
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.arns = new ResourceArn(settings.region(), settings.accountId());
    }

    HttpResponse<byte[]> call(HttpRequest<?> request, byte[] body, String operation, Map<String, String> pathParams,
                              AuthTarget target, Function<ObjectNode, JsonNode> work) {
        AccessKey caller = authenticator.authenticate(request, body);
        request.setAttribute(CALLER_ATTRIBUTE, caller.accessKeyId());
        ObjectNode input = inputs.read(operation, pathParams, request.getParameters().asMap(), body);
        authorizer.check(caller, "appmesh:" + operation, target.arn(input, arns));
        return ok(work.apply(input));
    }

    /**
     * A Meshwork extension outside the App Mesh model (access keys): signed and authorized the
     * same way, with the body parsed strictly but validated by the caller.
     */
    HttpResponse<byte[]> callExtension(HttpRequest<?> request, byte[] body, String action, String resourceArn,
                                       Function<ObjectNode, JsonNode> work) {
        AccessKey caller = authenticator.authenticate(request, body);
        request.setAttribute(CALLER_ATTRIBUTE, caller.accessKeyId());
        ObjectNode input = StrictJson.parseObject(body);
        authorizer.check(caller, action, resourceArn);
        return ok(work.apply(input));
    }

    static HttpResponse<byte[]> ok(JsonNode output) {
        return HttpResponse.ok(StrictJson.bytes(output)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
