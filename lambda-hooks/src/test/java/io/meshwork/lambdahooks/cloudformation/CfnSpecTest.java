package io.meshwork.lambdahooks.cloudformation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CloudFormation mapping covers every field of every spec of the seven types: each field of
 * each shape reachable from a spec is reached by its CloudFormation name and comes back as the
 * API's name with the API's type, from a value CloudFormation sends (a string).
 */
class CfnSpecTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    @Test
    void everyFieldOfEverySpecTranslatesFromCloudFormationsSpellingAndStrings() {
        Set<String> fieldsSeen = new TreeSet<>();
        Set<String> exceptionsUsed = new HashSet<>();
        for (MeshworkResourceType type : MeshworkResourceType.values()) {
            walk(type.spec(), "Spec", fieldsSeen, exceptionsUsed, new HashSet<>());
        }
        assertTrue(fieldsSeen.size() >= 279, "the App Mesh model's spec fields (distinct shape and member): " + fieldsSeen.size());
        assertEquals(CfnSpec.EXCEPTIONS.keySet(), exceptionsUsed, "every spelling exception names a field that exists");
        System.out.println("CloudFormation mapping: " + fieldsSeen.size() + " (shape, field) pairs checked");
    }

    /** Each field of the shape: a one-field CloudFormation object with a CloudFormation-typed value must come back right. */
    private static void walk(Supplier<SdkPojo> shape, String path, Set<String> seen, Set<String> exceptions, Set<String> visiting) {
        String shapeName = shape.get().getClass().getName();
        if (!visiting.add(shapeName)) {
            return; // recursive shapes: each once per path
        }
        for (SdkField<?> field : shape.get().sdkFields()) {
            String cfn = CfnSpec.cfnName(field.locationName());
            if (CfnSpec.EXCEPTIONS.containsKey(field.locationName())) {
                exceptions.add(field.locationName());
            }
            seen.add(shapeName + "." + field.locationName());
            ObjectNode input = JSON.objectNode();
            input.set(cfn, sample(field));
            ObjectNode api = CfnSpec.toApi(input, shape, path);
            assertEquals(Set.of(field.locationName()), fieldNames(api), path + "." + cfn + " becomes " + field.locationName());
            assertApiTyped(api.get(field.locationName()), field, path + "." + cfn);
            SdkField<?> inner = field;
            String innerPath = path + "." + cfn;
            while (inner.marshallingType() == MarshallingType.LIST || inner.marshallingType() == MarshallingType.MAP) {
                inner = inner.marshallingType() == MarshallingType.LIST ? inner.getRequiredTrait(ListTrait.class).memberFieldInfo()
                        : inner.getRequiredTrait(MapTrait.class).valueFieldInfo();
                innerPath += "[0]";
            }
            if (inner.marshallingType() == MarshallingType.SDK_POJO) {
                walk(inner.constructor(), innerPath, seen, exceptions, new HashSet<>(visiting));
            }
        }
    }

    /** What CloudFormation would send for a field: strings for scalars, one element for lists and maps. */
    private static JsonNode sample(SdkField<?> field) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.SDK_POJO) {
            return JSON.objectNode();
        }
        if (type == MarshallingType.LIST) {
            return JSON.arrayNode().add(sample(field.getRequiredTrait(ListTrait.class).memberFieldInfo()));
        }
        if (type == MarshallingType.MAP) {
            return JSON.objectNode().set("k", sample(field.getRequiredTrait(MapTrait.class).valueFieldInfo()));
        }
        if (type == MarshallingType.INTEGER || type == MarshallingType.LONG) {
            return JSON.textNode("42");
        }
        if (type == MarshallingType.DOUBLE || type == MarshallingType.FLOAT) {
            return JSON.textNode("4.5");
        }
        if (type == MarshallingType.BOOLEAN) {
            return JSON.textNode("true");
        }
        return JSON.textNode("value");
    }

    private static void assertApiTyped(JsonNode value, SdkField<?> field, String path) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.INTEGER || type == MarshallingType.LONG) {
            assertTrue(value.isIntegralNumber() && value.asLong() == 42, path + ": " + value);
        } else if (type == MarshallingType.BOOLEAN) {
            assertTrue(value.isBoolean() && value.asBoolean(), path + ": " + value);
        } else if (type == MarshallingType.LIST) {
            assertTrue(value.isArray() && value.size() == 1, path + ": " + value);
            assertApiTyped(value.get(0), field.getRequiredTrait(ListTrait.class).memberFieldInfo(), path + "[0]");
        } else if (type == MarshallingType.SDK_POJO || type == MarshallingType.MAP) {
            assertTrue(value.isObject(), path + ": " + value);
        } else if (type == MarshallingType.STRING) {
            assertEquals("value", value.asText(), path);
        }
    }

    private static Set<String> fieldNames(ObjectNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void cloudFormationsSpellingsOfAcronymsAreItsOwn() throws Exception {
        ObjectNode cfn = (ObjectNode) new ObjectMapper().readTree("""
                {"Listeners": [{"PortMapping": {"Port": "8080", "Protocol": "http"},
                  "TLS": {"Mode": "STRICT", "Certificate": {"ACM": {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}}},
                  "Timeout": {"HTTP": {"Idle": {"Unit": "s", "Value": "30"}}},
                  "ConnectionPool": {"HTTP2": {"MaxRequests": "100"}}}],
                 "ServiceDiscovery": {"AWSCloudMap": {"NamespaceName": "shop.local", "ServiceName": "x"}}}""");
        ObjectNode api = CfnSpec.toApi(cfn, MeshworkResourceType.VIRTUAL_NODE.spec(), "Spec");
        assertEquals(new ObjectMapper().readTree("""
                {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"},
                  "tls": {"mode": "STRICT", "certificate": {"acm": {"certificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}}},
                  "timeout": {"http": {"idle": {"unit": "s", "value": 30}}},
                  "connectionPool": {"http2": {"maxRequests": 100}}}],
                 "serviceDiscovery": {"awsCloudMap": {"namespaceName": "shop.local", "serviceName": "x"}}}""").toString(), api.toString());
    }

    @Test
    void valuesThatDoNotFitSayWhereAndWhat() {
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class, () -> CfnSpec.toApi(JSON.objectNode().set("Listeners",
                JSON.arrayNode().add(JSON.objectNode().set("TLS", JSON.objectNode().set("Validation", JSON.objectNode()
                        .set("SubjectAlternativeNames", JSON.objectNode().put("Match", "x")))))), MeshworkResourceType.VIRTUAL_NODE.spec(), "Spec"));
        assertTrue(bool.getMessage().startsWith("Spec.Listeners[0].TLS.Validation.SubjectAlternativeNames.Match must be an object"),
                bool.getMessage());
        IllegalArgumentException list = assertThrows(IllegalArgumentException.class, () -> CfnSpec.toApi(JSON.objectNode()
                .put("Listeners", "8080"), MeshworkResourceType.VIRTUAL_NODE.spec(), "Spec"));
        assertEquals("Spec.Listeners must be a list, got \"8080\"", list.getMessage());
    }
}
