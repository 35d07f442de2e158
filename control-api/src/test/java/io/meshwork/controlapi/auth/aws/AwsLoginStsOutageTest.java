package io.meshwork.controlapi.auth.aws;

import io.meshwork.cloudmap.testing.MotoIdentities;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import io.meshwork.proxyapi.AwsLogin;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.CallerIdentityRequest;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * While STS cannot be reached no new login succeeds, and the caller is told so (503, not a
 * mysterious 403); sessions already handed out keep working, since they are verified by the
 * control API alone.
 */
class AwsLoginStsOutageTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/orders-task";

    @Test
    void noNewLoginWhileStsIsDownButSessionsAlreadyIssuedKeepWorking() throws Exception {
        try (MotoServer moto = new MotoServer()) {
            MotoIdentities identities = new MotoIdentities(moto);
            AwsSessionCredentials aws = identities.assumeRole(ROLE, "task-1");
            identities.enableSignatureChecks();
            try (ControlApiServer server = ControlApiServer.start(Map.of("control-api.sts.endpoint", moto.endpoint().toString(),
                    "control-api.aws-login.server-id", "127.0.0.1"))) {
                SignedHttp http = new SignedHttp(server.endpoint());
                assertEquals(200, http.send("PUT", "/meshwork/v1/aws-principals", ("{\"arn\": \"" + ROLE + "\", \"policy\":"
                        + " {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"appmesh:*\", \"Resource\": \"*\"}]}}")
                        .getBytes(StandardCharsets.UTF_8)).statusCode());
                ControlApiCredentialsProvider loggedIn = ControlApiCredentialsProvider.builder().controlApi(server.endpoint())
                        .awsCredentials(StaticCredentialsProvider.create(aws)).build();
                AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), loggedIn);
                client.createMesh(r -> r.meshName("before"));

                moto.stop();

                // Signed at another second than the client's own login: not a request STS has answered already.
                HttpResponse<String> login = http.sendUnsigned("POST", AwsLogin.PATH, SnapshotJson.mapper().writeValueAsBytes(
                        CallerIdentityRequest.sign(aws, new AwsLogin.Parameters(moto.endpoint() + "/", "us-east-1"), "127.0.0.1",
                                Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-5)))), Map.of("Content-Type", "application/json"));
                assertEquals(503, login.statusCode(), login.body());
                assertEquals("ServiceUnavailableException", login.headers().firstValue("x-amzn-ErrorType").orElse(null));
                assertTrue(login.body().contains("STS at " + moto.endpoint() + "/ could not be reached"), login.body());
                assertFalse(login.body().contains("sessionToken"));

                client.createMesh(r -> r.meshName("during"));
                try (AppMeshClient fresh = ControlApiServer.clientFor(server.endpoint(), ControlApiCredentialsProvider.builder()
                        .controlApi(server.endpoint()).awsCredentials(StaticCredentialsProvider.create(aws))
                        .clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-10))).build())) {
                    SdkClientException refused = assertThrows(SdkClientException.class, () -> fresh.listMeshes(r -> { }));
                    assertTrue(refused.getMessage().contains("503 ServiceUnavailableException"), refused.getMessage());
                }
                client.close();
            }
        }
    }

    @Test
    void aLoginSentAgainIsAnsweredFromWhatStsSaidOfItUntilItWouldExpire() throws IOException {
        try (MotoServer moto = new MotoServer()) {
            AwsSessionCredentials aws = new MotoIdentities(moto).assumeRole(ROLE, "task-1");
            try (ControlApiServer server = ControlApiServer.start(Map.of("control-api.sts.endpoint", moto.endpoint().toString(),
                    "control-api.aws-login.server-id", "127.0.0.1"))) {
                SignedHttp http = new SignedHttp(server.endpoint());
                http.send("PUT", "/meshwork/v1/aws-principals", ("{\"arn\": \"" + ROLE + "\", \"policy\": {\"Statement\": ["
                        + "{\"Effect\": \"Allow\", \"Action\": \"appmesh:List*\", \"Resource\": \"*\"}]}}").getBytes(StandardCharsets.UTF_8));
                byte[] login = SnapshotJson.mapper().writeValueAsBytes(CallerIdentityRequest.sign(aws,
                        new AwsLogin.Parameters(moto.endpoint() + "/", "us-east-1"), "127.0.0.1", Clock.systemUTC()));
                Map<String, String> json = Map.of("Content-Type", "application/json");
                assertEquals(200, http.sendUnsigned("POST", AwsLogin.PATH, login, json).statusCode());
                moto.stop();
                // A client retrying after a lost answer: STS already vouched for this very request.
                HttpResponse<String> again = http.sendUnsigned("POST", AwsLogin.PATH, login, json);
                assertEquals(200, again.statusCode(), again.body());
                assertTrue(again.body().contains("\"accessKeyId\":\"MWS"), again.body());
            }
        }
    }
}
