package io.meshwork.controlapi.auth.aws;

import io.meshwork.cloudmap.testing.MotoIdentities;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.ForbiddenException;
import software.amazon.awssdk.services.iam.IamClient;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CONTROL_API_AWS_LOGIN_IAM_POLICIES: a role nobody mapped gets what its IAM policies (inline and
 * attached, read from moto's IAM) allow on appmesh:/meshwork: actions, as App Mesh granted task
 * roles; a role whose policies allow nothing here, or only under conditions, gets no session.
 */
class IamPolicyGrantsTest {
    private static final String ACCOUNT = "123456789012";
    private static final String TRUST = """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
             "Action": "sts:AssumeRole"}]}""";

    private static MotoServer moto;
    private static MotoIdentities identities;
    private static ControlApiServer server;

    @BeforeAll
    static void start() throws java.io.IOException {
        moto = new MotoServer();
        identities = new MotoIdentities(moto);
        // The control API's own AWS credentials (its task role on ECS), for its IAM calls.
        System.setProperty("aws.accessKeyId", "AKIACONTROLAPI000000");
        System.setProperty("aws.secretAccessKey", "control-api");
        try (IamClient iam = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIASETUP00000000000", "x"))).build()) {
            role(iam, "granted-task", """
                    {"Version": "2012-10-17", "Statement": [
                      {"Effect": "Allow", "Action": ["appmesh:ListMeshes", "appmesh:DescribeMesh"], "Resource": "*"},
                      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}""");
            String managed = iam.createPolicy(r -> r.policyName("create-granted-mesh").policyDocument("""
                    {"Version": "2012-10-17", "Statement": [{"Sid": "CreateOne", "Effect": "Allow", "Action": "appmesh:CreateMesh",
                     "Resource": "arn:aws:appmesh:us-east-1:000000000000:mesh/granted"}]}""")).policy().arn();
            iam.attachRolePolicy(r -> r.roleName("granted-task").policyArn(managed));
            role(iam, "conditional-task", """
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "appmesh:*", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}""");
            role(iam, "storage-task", """
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}""");
            role(iam, "guarded-task", """
                    {"Version": "2012-10-17", "Statement": [
                      {"Effect": "Allow", "Action": "appmesh:*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "appmesh:DeleteMesh", "Resource": "*",
                       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}""");
        }
        server = ControlApiServer.start(Map.of("control-api.sts.endpoint", moto.endpoint().toString(),
                "control-api.aws-login.server-id", "127.0.0.1", "control-api.aws-login.iam-policies", "true",
                "control-api.aws-login.iam-endpoint", moto.endpoint().toString()));
    }

    @AfterAll
    static void stop() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (server != null) {
            server.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void anUnmappedRoleGetsWhatItsInlineAndAttachedIamPoliciesAllowHereAndNothingMore() {
        try (AppMeshClient client = asRole("granted-task")) {
            client.createMesh(r -> r.meshName("granted"));              // the attached managed policy
            assertEquals(1, client.listMeshes(r -> { }).meshes().size()); // the inline policy
            ForbiddenException other = assertThrows(ForbiddenException.class, () -> client.createMesh(r -> r.meshName("other")));
            assertTrue(other.getMessage().contains("appmesh:CreateMesh"), other.getMessage());
            assertThrows(ForbiddenException.class, () -> client.deleteMesh(r -> r.meshName("granted")));
        }
    }

    @Test
    void aDenyUnderAConditionMeshworkCannotEvaluateDeniesAlways() {
        try (AppMeshClient client = asRole("guarded-task")) {
            client.createMesh(r -> r.meshName("guarded"));
            assertThrows(ForbiddenException.class, () -> client.deleteMesh(r -> r.meshName("guarded")));
        }
    }

    @Test
    void aRoleWhosePoliciesAllowNothingHereOrOnlyUnderAConditionIsRefused() {
        for (String role : new String[]{"storage-task", "conditional-task", "no-such-role"}) {
            try (AppMeshClient client = asRole(role)) {
                SdkClientException refused = assertThrows(SdkClientException.class, () -> client.listMeshes(r -> { }), role);
                assertTrue(String.valueOf(refused.getMessage()).contains("IAM policy allowing appmesh: actions")
                        || String.valueOf(refused.getCause()).contains("IAM policy allowing appmesh: actions"), role + ": " + refused);
            }
        }
    }

    private static void role(IamClient iam, String name, String inlinePolicy) {
        iam.createRole(r -> r.roleName(name).path("/ecs/").assumeRolePolicyDocument(TRUST));
        iam.putRolePolicy(r -> r.roleName(name).policyName("app").policyDocument(inlinePolicy));
    }

    private static AppMeshClient asRole(String role) {
        AwsSessionCredentials aws = identities.assumeRole("arn:aws:iam::" + ACCOUNT + ":role/ecs/" + role, "task-" + role);
        ControlApiCredentialsProvider login = ControlApiCredentialsProvider.builder().controlApi(server.endpoint())
                .awsCredentials(StaticCredentialsProvider.create(aws)).build();
        return ControlApiServer.clientFor(server.endpoint(), login);
    }
}
