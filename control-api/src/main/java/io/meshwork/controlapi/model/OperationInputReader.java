package io.meshwork.controlapi.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.error.AppMeshException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assembles one operation's input the way the API model lays it out: members bound to the
 * URI path, members from the query string and members from the JSON body, all in one object
 * validated against the operation's input shape.
 */
public final class OperationInputReader {
    private final ApiModel model;
    private final ShapeValidator validator;

    public OperationInputReader(ApiModel model) {
        this.model = model;
        this.validator = new ShapeValidator(model);
    }

    public ObjectNode read(String operationName, Map<String, String> pathParams,
                           Map<String, List<String>> queryParams, byte[] body) {
        ApiModel.Operation operation = model.operation(operationName);
        ApiModel.Shape input = model.shape(operation.input());
        boolean hasBodyMembers = input.members().values().stream().anyMatch(ApiModel.Member::inBody);
        ObjectNode bodyJson = hasBodyMembers ? StrictJson.parseObject(body) : StrictJson.mapper().createObjectNode();

        List<String> errors = new ArrayList<>();
        validator.validateMembers(input, bodyJson, errors);

        ObjectNode all = (ObjectNode) StrictJson.withoutNulls(bodyJson);
        for (ApiModel.Member member : input.members().values()) {
            if ("uri".equals(member.location())) {
                String value = pathParams.get(member.locationName());
                if (value != null) {
                    all.put(member.name(), value);
                    checkMember(member, all.get(member.name()), errors);
                }
            } else if ("querystring".equals(member.location())) {
                List<String> values = queryParams.get(member.locationName());
                if (values != null && !values.isEmpty()) {
                    JsonNode value = queryValue(member, values.get(0), errors);
                    if (value != null) {
                        all.set(member.name(), value);
                        checkMember(member, value, errors);
                    }
                }
            }
        }
        for (String required : input.required()) {
            ApiModel.Member member = input.members().get(required);
            if (!member.inBody() && !all.hasNonNull(required)) {
                errors.add("'" + member.locationName() + "' is required");
            }
        }
        if (!errors.isEmpty()) {
            throw AppMeshException.badRequest(ShapeValidator.summary(errors));
        }
        return all;
    }

    private void checkMember(ApiModel.Member member, JsonNode value, List<String> errors) {
        try {
            validator.validate(member.shape(), value, member.locationName());
        } catch (AppMeshException e) {
            errors.add(e.getMessage().replaceFirst("^\\d+ validation errors? detected: ", ""));
        }
    }

    private JsonNode queryValue(ApiModel.Member member, String raw, List<String> errors) {
        String type = model.shape(member.shape()).type();
        if ("integer".equals(type) || "long".equals(type)) {
            try {
                return StrictJson.mapper().getNodeFactory().numberNode(Long.parseLong(raw.trim()));
            } catch (NumberFormatException e) {
                errors.add("'" + member.locationName() + "' must be a whole number, got '" + raw + "'");
                return null;
            }
        }
        return StrictJson.mapper().getNodeFactory().textNode(raw);
    }
}
