package io.meshwork.controlapi.auth.iam;

import java.util.List;
import java.util.Locale;

/**
 * IAM's evaluation logic for identity policies: an explicit Deny wins, otherwise an Allow
 * grants, otherwise the request is denied. Actions match case-insensitively, resources
 * case-sensitively; both take {@code *} (any run of characters) and {@code ?} (one character).
 */
public final class PolicyEvaluator {
    private PolicyEvaluator() {
    }

    public static boolean isAllowed(PolicyDocument policy, RequestFacts facts) {
        boolean allowed = false;
        for (PolicyDocument.Statement statement : policy.statements()) {
            if (!applies(statement, facts)) {
                continue;
            }
            if (statement.effect() == PolicyDocument.Effect.DENY) {
                return false;
            }
            allowed = true;
        }
        return allowed;
    }

    private static boolean applies(PolicyDocument.Statement s, RequestFacts facts) {
        String action = facts.action().toLowerCase(Locale.ROOT);
        boolean actionMatches = s.actions() != null
                ? anyMatches(s.actions(), action, true)
                : !anyMatches(s.notActions(), action, true);
        if (!actionMatches) {
            return false;
        }
        return s.resources() != null
                ? anyMatches(s.resources(), facts.resourceArn(), false)
                : !anyMatches(s.notResources(), facts.resourceArn(), false);
    }

    private static boolean anyMatches(List<String> patterns, String value, boolean ignoreCase) {
        for (String pattern : patterns) {
            if (Wildcard.matches(ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern, value)) {
                return true;
            }
        }
        return false;
    }
}
