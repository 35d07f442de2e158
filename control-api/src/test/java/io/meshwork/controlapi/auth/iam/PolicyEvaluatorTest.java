package io.meshwork.controlapi.auth.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.error.AppMeshException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PolicyEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAYMENTS = "arn:aws:appmesh:us-east-1:000000000000:mesh/payments";

    @Test
    void allowWithWildcardsGrantsOnlyWhatMatches() throws Exception {
        PolicyDocument policy = parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"appmesh:Describe*\",\"appmesh:List*\"],"
                + "\"Resource\":\"arn:aws:appmesh:us-east-1:000000000000:mesh/payments/*\"}}");
        assertTrue(allowed(policy, "appmesh:DescribeVirtualNode", PAYMENTS + "/virtualNode/ledger"));
        assertTrue(allowed(policy, "APPMESH:describevirtualnode", PAYMENTS + "/virtualNode/ledger"), "actions ignore case");
        assertFalse(allowed(policy, "appmesh:DescribeVirtualNode", PAYMENTS.toUpperCase() + "/virtualNode/ledger"),
                "resources do not");
        assertFalse(allowed(policy, "appmesh:UpdateVirtualNode", PAYMENTS + "/virtualNode/ledger"));
        assertFalse(allowed(policy, "appmesh:DescribeMesh", PAYMENTS), "mesh/payments/* does not cover the mesh itself");
        assertFalse(allowed(policy, "appmesh:DescribeVirtualNode", "arn:aws:appmesh:us-east-1:000000000000:mesh/orders/virtualNode/x"));
    }

    @Test
    void explicitDenyWinsAndNothingMeansNo() throws Exception {
        PolicyDocument policy = parse("{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"Action\":\"appmesh:Delete*\",\"Resource\":\"" + PAYMENTS + "*\"}]}");
        assertTrue(allowed(policy, "appmesh:DeleteMesh", "arn:aws:appmesh:us-east-1:000000000000:mesh/orders"));
        assertFalse(allowed(policy, "appmesh:DeleteMesh", PAYMENTS));
        assertFalse(allowed(policy, "appmesh:DeleteRoute", PAYMENTS + "/virtualRouter/r/route/x"));
        assertFalse(allowed(parse("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"),
                "appmesh:ListMeshes", "x"));
    }

    @Test
    void notActionAndNotResourceInvertTheMatch() throws Exception {
        PolicyDocument policy = parse("{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"appmesh:Delete*\","
                + "\"NotResource\":\"" + PAYMENTS + "\"}]}");
        assertTrue(allowed(policy, "appmesh:CreateMesh", "arn:aws:appmesh:us-east-1:000000000000:mesh/orders"));
        assertFalse(allowed(policy, "appmesh:DeleteMesh", "arn:aws:appmesh:us-east-1:000000000000:mesh/orders"));
        assertFalse(allowed(policy, "appmesh:UpdateMesh", PAYMENTS));
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() throws Exception {
        PolicyDocument policy = parse("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"appmesh:ListMeshes\","
                + "\"Resource\":\"arn:aws:appmesh:us-east-1:000000000000:mesh/team-?\"}]}");
        assertTrue(allowed(policy, "appmesh:ListMeshes", "arn:aws:appmesh:us-east-1:000000000000:mesh/team-a"));
        assertFalse(allowed(policy, "appmesh:ListMeshes", "arn:aws:appmesh:us-east-1:000000000000:mesh/team-ab"));
        assertFalse(allowed(policy, "appmesh:ListMeshes", "arn:aws:appmesh:us-east-1:000000000000:mesh/team-"));
    }

    @Test
    void malformedPoliciesAreRefusedNamingTheProblem() {
        assertInvalid("{}", "Statement is required");
        assertInvalid("{\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}]}", "Effect must be Allow or Deny");
        assertInvalid("{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}", "Action and NotAction");
        assertInvalid("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{}}]}", "Condition");
        assertInvalid("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}]}", "non-empty list");
        assertInvalid("{\"Version\":\"2020-01-01\",\"Statement\":[]}", "unsupported Version");
    }

    private static void assertInvalid(String json, String mentioned) {
        AppMeshException e = assertThrows(AppMeshException.class, () -> parse(json));
        assertTrue(e.getMessage().contains(mentioned), e.getMessage());
    }

    private static PolicyDocument parse(String json) throws Exception {
        return PolicyDocument.parse(JSON.readTree(json));
    }

    private static boolean allowed(PolicyDocument policy, String action, String arn) {
        return PolicyEvaluator.isAllowed(policy, new RequestFacts(action, arn));
    }
}
