package io.meshwork.controlapi.auth.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.auth.keys.RecentLookups;
import io.meshwork.controlapi.model.StrictJson;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.IamException;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * App Mesh's way of granting AWS callers: what the IAM policies of their role (or user) allow.
 * With {@code CONTROL_API_AWS_LOGIN_IAM_POLICIES=true}, a caller whose role has no explicit
 * mapping gets, as its Meshwork policy, the statements of the role's inline and attached IAM
 * policies, read with the control API's own AWS credentials. So the policy an App Mesh user
 * already gave a task role ({@code appmesh:StreamAggregatedResources} on its node) keeps working,
 * and Terraform grants Meshwork access the way it grants anything else.
 *
 * <p>IAM's conditions cannot be evaluated here: an Allow with a Condition is left out, a Deny
 * with one applies unconditionally (never more access than IAM would give). Read policies are
 * kept for {@link #KEEP}, so a changed IAM policy applies to running sessions within that time.
 */
@Singleton
public final class IamPolicyGrants {
    private static final Logger LOG = LoggerFactory.getLogger(IamPolicyGrants.class);
    static final Duration KEEP = Duration.ofSeconds(30);

    private final boolean enabled;
    private final IamClient iam;
    private final RecentLookups<PolicyDocument> recent;

    public IamPolicyGrants(AwsLoginSettings settings, Clock clock) {
        this.enabled = settings.iamPolicies();
        this.recent = new RecentLookups<>(clock, KEEP);
        this.iam = enabled ? IamClient.builder()
                // IAM is global: its endpoint lives in us-east-1 (aws-global) for the aws partition.
                .region(Region.AWS_GLOBAL)
                .endpointOverride(settings.iamEndpoint() == null ? null : URI.create(settings.iamEndpoint()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(UrlConnectionHttpClient.create())
                .build() : null;
        if (enabled) {
            LOG.info("AWS logins: roles without a mapping get what their IAM policies allow (IAM at {})",
                    settings.iamEndpoint() == null ? "AWS" : settings.iamEndpoint());
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * The Meshwork policy {@code principal}'s IAM policies amount to; empty when they allow no
     * {@code appmesh:} or {@code meshwork:} action (or cannot be read: logged, and refused).
     */
    public Optional<PolicyDocument> policyFor(AwsPrincipalArn principal) {
        if (!enabled) {
            return Optional.empty();
        }
        return recent.find(principal.key(), key -> read(principal));
    }

    private Optional<PolicyDocument> read(AwsPrincipalArn principal) {
        List<JsonNode> documents = new ArrayList<>();
        try {
            if (principal.kind() == AwsPrincipalArn.Kind.ROLE) {
                String role = principal.name();
                for (String name : iam.listRolePoliciesPaginator(r -> r.roleName(role)).policyNames()) {
                    documents.add(decode(iam.getRolePolicy(r -> r.roleName(role).policyName(name)).policyDocument()));
                }
                for (AttachedPolicy attached : iam.listAttachedRolePoliciesPaginator(r -> r.roleName(role)).attachedPolicies()) {
                    documents.add(managed(attached.policyArn()));
                }
            } else {
                String user = principal.name();
                for (String name : iam.listUserPoliciesPaginator(r -> r.userName(user)).policyNames()) {
                    documents.add(decode(iam.getUserPolicy(r -> r.userName(user).policyName(name)).policyDocument()));
                }
                for (AttachedPolicy attached : iam.listAttachedUserPoliciesPaginator(r -> r.userName(user)).attachedPolicies()) {
                    documents.add(managed(attached.policyArn()));
                }
            }
        } catch (IamException e) {
            LOG.warn("cannot read the IAM policies of {}: {}", principal.arnWithoutPath(), e.awsErrorDetails() == null
                    ? e.getMessage() : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the IAM policies of {}: {}", principal.arnWithoutPath(), e.toString());
            return Optional.empty();
        }
        return meshworkPart(documents);
    }

    private JsonNode managed(String policyArn) {
        String version = iam.getPolicy(r -> r.policyArn(policyArn)).policy().defaultVersionId();
        return decode(iam.getPolicyVersion(r -> r.policyArn(policyArn).versionId(version)).policyVersion().document());
    }

    /** IAM answers policy documents URL-encoded. */
    private static JsonNode decode(String document) {
        try {
            return StrictJson.mapper().readTree(URLDecoder.decode(document, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("IAM answered a policy that is not JSON", e);
        }
    }

    /** The statements that matter to Meshwork, in the form its policies take; empty when none allows anything here. */
    static Optional<PolicyDocument> meshworkPart(List<JsonNode> documents) {
        ObjectNode policy = StrictJson.mapper().createObjectNode();
        ArrayNode statements = policy.putArray("Statement");
        boolean allows = false;
        for (JsonNode document : documents) {
            JsonNode list = document.path("Statement");
            for (JsonNode statement : list.isArray() ? list : List.of(list)) {
                if (!statement.isObject() || statement.has("Principal") || statement.has("NotPrincipal")) {
                    continue;
                }
                boolean allow = "Allow".equals(statement.path("Effect").asText());
                if (allow && statement.has("Condition")) {
                    continue; // cannot be evaluated: no access rather than too much
                }
                if (allow && !mayAllowHere(statement)) {
                    continue;
                }
                ObjectNode copy = ((ObjectNode) statement).deepCopy();
                copy.remove("Condition");
                copy.remove("Sid");
                statements.add(copy);
                allows |= allow;
            }
        }
        if (!allows) {
            return Optional.empty();
        }
        try {
            return Optional.of(PolicyDocument.parse(policy));
        } catch (RuntimeException e) {
            LOG.warn("IAM policies that Meshwork cannot read as a policy: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether an Allow can grant an appmesh: or meshwork: action ("*", "appmesh:*", "meshwork:Deregister*", a NotAction ...). */
    private static boolean mayAllowHere(JsonNode statement) {
        if (statement.has("NotAction")) {
            return true;
        }
        JsonNode actions = statement.path("Action");
        for (JsonNode action : actions.isArray() ? actions : List.of(actions)) {
            String a = action.asText().toLowerCase(Locale.ROOT);
            if (a.equals("*") || a.startsWith("appmesh:") || a.startsWith("meshwork:") || a.matches("[a-z*?]*\\*[a-z*?:]*")
                    && ("appmesh:x".matches(glob(a)) || "meshwork:x".matches(glob(a)))) {
                return true;
            }
        }
        return false;
    }

    private static String glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return regex.toString();
    }
}
