package io.meshwork.lambdahooks.cloudformation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * An {@code AWS::AppMesh::*} {@code Spec} as CloudFormation delivers it (PascalCase keys, every
 * value a string) turned into the App Mesh API's JSON (camelCase keys, numbers and booleans). The
 * names and types come from the App Mesh model itself, the AWS SDK's {@code appmesh} shapes
 * ({@link SdkField}s), not from a hand-typed list: a CloudFormation name is the API member name
 * with its first letter upper-cased, except for the acronyms CloudFormation spells in capitals
 * ({@link #EXCEPTIONS}).
 */
public final class CfnSpec {
    /** API member name → CloudFormation's spelling, where it is not simply capitalised (aws-cdk-lib's converters). */
    static final Map<String, String> EXCEPTIONS = Map.of("dns", "DNS", "awsCloudMap", "AWSCloudMap", "acm", "ACM", "sds", "SDS",
            "tls", "TLS", "http", "HTTP", "http2", "HTTP2", "grpc", "GRPC", "tcp", "TCP");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CfnSpec() {
    }

    /** CloudFormation's name for an API member. */
    public static String cfnName(String apiName) {
        String exception = EXCEPTIONS.get(apiName);
        return exception != null ? exception : Character.toUpperCase(apiName.charAt(0)) + apiName.substring(1);
    }

    /**
     * {@code cfn} (an object of CloudFormation's spelling) as the API's JSON for the shape {@code shape}
     * makes; {@code path} names where it is, for the message of a value that does not fit.
     */
    public static ObjectNode toApi(JsonNode cfn, Supplier<SdkPojo> shape, String path) {
        if (!cfn.isObject()) {
            throw new IllegalArgumentException(path + " must be an object, got " + describe(cfn));
        }
        List<SdkField<?>> fields = shape.get().sdkFields();
        ObjectNode out = JSON.objectNode();
        cfn.fields().forEachRemaining(entry -> {
            SdkField<?> field = fields.stream().filter(f -> cfnName(f.locationName()).equals(entry.getKey())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(path + "." + entry.getKey() + " is not a property here; "
                            + path + " takes " + names(fields)));
            out.set(field.locationName(), value(entry.getValue(), field, path + "." + entry.getKey()));
        });
        return out;
    }

    private static JsonNode value(JsonNode cfn, SdkField<?> field, String path) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.SDK_POJO) {
            return toApi(cfn, field.constructor(), path);
        }
        if (type == MarshallingType.LIST) {
            if (!cfn.isArray()) {
                throw new IllegalArgumentException(path + " must be a list, got " + describe(cfn));
            }
            SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            ArrayNode out = JSON.arrayNode();
            for (int i = 0; i < cfn.size(); i++) {
                out.add(value(cfn.get(i), member, path + "[" + i + "]"));
            }
            return out;
        }
        if (type == MarshallingType.MAP) {
            if (!cfn.isObject()) {
                throw new IllegalArgumentException(path + " must be an object, got " + describe(cfn));
            }
            SdkField<?> valueField = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            ObjectNode out = JSON.objectNode();
            cfn.fields().forEachRemaining(e -> out.set(e.getKey(), value(e.getValue(), valueField, path + "." + e.getKey())));
            return out;
        }
        if (!cfn.isValueNode() || cfn.isNull()) {
            throw new IllegalArgumentException(path + " must be a single value, got " + describe(cfn));
        }
        String text = cfn.asText();
        if (type == MarshallingType.INTEGER || type == MarshallingType.LONG || type == MarshallingType.SHORT) {
            try {
                return JSON.numberNode(Long.parseLong(text.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(path + " must be a whole number, got '" + text + "'");
            }
        }
        if (type == MarshallingType.DOUBLE || type == MarshallingType.FLOAT || type == MarshallingType.BIG_DECIMAL) {
            try {
                return JSON.numberNode(new BigDecimal(text.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(path + " must be a number, got '" + text + "'");
            }
        }
        if (type == MarshallingType.BOOLEAN) {
            String b = text.trim().toLowerCase(Locale.ROOT);
            if (!b.equals("true") && !b.equals("false")) {
                throw new IllegalArgumentException(path + " must be true or false, got '" + text + "'");
            }
            return JSON.booleanNode(b.equals("true"));
        }
        return JSON.textNode(text);
    }

    private static String names(List<SdkField<?>> fields) {
        TreeSet<String> names = new TreeSet<>();
        fields.forEach(f -> names.add(cfnName(f.locationName())));
        return String.join(", ", names);
    }

    private static String describe(JsonNode node) {
        String s = node.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
