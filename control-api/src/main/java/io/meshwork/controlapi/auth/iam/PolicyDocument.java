package io.meshwork.controlapi.auth.iam;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.error.AppMeshException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An IAM-style identity policy: statements that Allow or Deny actions ({@code appmesh:Create*})
 * on resources (ARN patterns with {@code *} and {@code ?}). Conditions and principals are
 * refused rather than ignored, because ignoring a condition on an Allow would grant more than
 * its author meant.
 */
public record PolicyDocument(List<Statement> statements) {
    private static final Set<String> STATEMENT_MEMBERS = Set.of("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource");

    public enum Effect { ALLOW, DENY }

    /** One statement; exactly one of actions/notActions and one of resources/notResources is set. */
    public record Statement(Effect effect, List<String> actions, List<String> notActions, List<String> resources,
                            List<String> notResources) {
    }

    public static PolicyDocument allowAll() {
        return new PolicyDocument(List.of(new Statement(Effect.ALLOW, List.of("*"), null, List.of("*"), null)));
    }

    public static PolicyDocument parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw invalid("the policy must be a JSON object with a Statement");
        }
        JsonNode version = json.get("Version");
        if (version != null && !"2012-10-17".equals(version.asText()) && !"2008-10-17".equals(version.asText())) {
            throw invalid("unsupported Version " + version.asText() + " (use 2012-10-17)");
        }
        json.fieldNames().forEachRemaining(name -> {
            if (!name.equals("Version") && !name.equals("Statement") && !name.equals("Id")) {
                throw invalid("unsupported member " + name);
            }
        });
        JsonNode statementNode = json.get("Statement");
        if (statementNode == null) {
            throw invalid("Statement is required");
        }
        List<Statement> statements = new ArrayList<>();
        if (statementNode.isArray()) {
            statementNode.forEach(s -> statements.add(statement(s)));
        } else {
            statements.add(statement(statementNode));
        }
        if (statements.isEmpty()) {
            throw invalid("Statement must not be empty");
        }
        return new PolicyDocument(List.copyOf(statements));
    }

    private static Statement statement(JsonNode node) {
        if (!node.isObject()) {
            throw invalid("each statement must be a JSON object");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!STATEMENT_MEMBERS.contains(name)) {
                throw invalid("statement member " + name + " is not supported"
                        + (name.equals("Condition") ? " (conditions are not evaluated, so they are refused)" : ""));
            }
        });
        Effect effect = switch (node.path("Effect").asText()) {
            case "Allow" -> Effect.ALLOW;
            case "Deny" -> Effect.DENY;
            default -> throw invalid("Effect must be Allow or Deny, got '" + node.path("Effect").asText() + "'");
        };
        List<String> actions = strings(node, "Action");
        List<String> notActions = strings(node, "NotAction");
        if ((actions == null) == (notActions == null)) {
            throw invalid("a statement needs exactly one of Action and NotAction");
        }
        List<String> resources = strings(node, "Resource");
        List<String> notResources = strings(node, "NotResource");
        if ((resources == null) == (notResources == null)) {
            throw invalid("a statement needs exactly one of Resource and NotResource");
        }
        return new Statement(effect, actions, notActions, resources, notResources);
    }

    private static List<String> strings(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (value.isTextual()) {
            out.add(value.textValue());
        } else if (value.isArray() && !value.isEmpty()) {
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw invalid(member + " items must be strings");
                }
                out.add(item.textValue());
            }
        } else {
            throw invalid(member + " must be a string or a non-empty list of strings");
        }
        return List.copyOf(out);
    }

    private static AppMeshException invalid(String why) {
        return AppMeshException.badRequest("Invalid policy: " + why);
    }
}
