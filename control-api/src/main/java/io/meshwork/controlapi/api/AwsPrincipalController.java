package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.aws.AwsPrincipalArn;
import io.meshwork.controlapi.auth.aws.AwsPrincipals;
import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.auth.keys.PolicyJson;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Meshwork's API for AWS principals (not part of App Mesh): which IAM roles and users may log
 * in ({@code /meshwork/v1/aws-login}) and with which IAM-style policy, the same document access
 * keys carry. Actions {@code meshwork:PutAwsPrincipal}, {@code meshwork:ListAwsPrincipals} and
 * {@code meshwork:DeleteAwsPrincipal} on {@code arn:meshwork:iam::ACCOUNT:aws-principal/AWS_ACCOUNT/role/NAME}
 * (or {@code .../user/NAME}). Whoever may put a mapping may grant any policy: give these
 * actions to administrators only, as {@code meshwork:CreateAccessKey}.
 */
@Controller("/meshwork/v1/aws-principals")
@ExecuteOn(TaskExecutors.BLOCKING)
final class AwsPrincipalController {
    private final AppMeshApi api;
    private final AwsPrincipals principals;
    private final String arnPrefix;

    AwsPrincipalController(AppMeshApi api, AwsPrincipals principals, ControlApiSettings settings) {
        this.api = api;
        this.principals = principals;
        this.arnPrefix = "arn:meshwork:iam::" + settings.accountId() + ":aws-principal/";
    }

    /** Maps {@code arn} to {@code policy}, replacing its mapping if it had one. */
    @Put
    HttpResponse<byte[]> put(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return api.callExtension(request, body, "meshwork:PutAwsPrincipal", input -> resource(input.path("arn").asText(null)),
                input -> {
                    for (var names = input.fieldNames(); names.hasNext(); ) {
                        String name = names.next();
                        if (!name.equals("arn") && !name.equals("policy")) {
                            throw AppMeshException.badRequest("Unknown member '" + name + "': a mapping has 'arn' and 'policy'");
                        }
                    }
                    if (!input.hasNonNull("policy")) {
                        throw AppMeshException.badRequest("'policy' is required: the IAM-style policy the principal's sessions carry");
                    }
                    return describe(principals.put(input.path("arn").asText(), PolicyDocument.parse(input.get("policy"))));
                });
    }

    @Get
    HttpResponse<byte[]> list(HttpRequest<?> request) {
        return api.callExtension(request, null, "meshwork:ListAwsPrincipals", arnPrefix + "*", input -> {
            ObjectNode out = StrictJson.mapper().createObjectNode();
            var list = out.putArray("awsPrincipals");
            principals.list().forEach(m -> list.add(describe(m)));
            return out;
        });
    }

    /** Unmaps the role or user named by {@code arn} (with or without its path); its sessions stop working. */
    @Delete
    HttpResponse<byte[]> delete(HttpRequest<?> request, @Nullable @QueryValue String arn) {
        return api.callExtension(request, null, "meshwork:DeleteAwsPrincipal", resource(arn), input -> {
            if (!principals.delete(arn)) {
                throw AppMeshException.notFound("No mapping for AWS principal " + arn);
            }
            return StrictJson.mapper().createObjectNode();
        });
    }

    /** {@code arn:meshwork:iam::ACCOUNT:aws-principal/123456789012/role/orders-task}: what policies name (name in lower case). */
    private String resource(String arn) {
        if (arn == null || arn.isBlank()) {
            throw AppMeshException.badRequest("'arn' is required: the ARN of an IAM role or user");
        }
        AwsPrincipalArn principal = AwsPrincipals.parse(arn);
        String path = principal.arnWithoutPath();
        // Lower case, as the mapping is stored: IAM names are unique regardless of case, so another
        // spelling names the same role and must meet the same Allow and Deny.
        return arnPrefix + principal.account() + "/" + path.substring(path.lastIndexOf(':') + 1).toLowerCase(Locale.ROOT);
    }

    private static ObjectNode describe(AwsPrincipals.Mapping mapping) {
        ObjectNode node = StrictJson.mapper().createObjectNode();
        node.put("arn", mapping.arn());
        node.set("policy", PolicyJson.toJson(mapping.policy()));
        node.put("createdAt", BigDecimal.valueOf(mapping.createdAtMillis(), 3));
        node.put("lastUpdatedAt", BigDecimal.valueOf(mapping.updatedAtMillis(), 3));
        return node;
    }
}
