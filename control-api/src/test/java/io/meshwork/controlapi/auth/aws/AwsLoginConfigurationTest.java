package io.meshwork.controlapi.auth.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.support.ControlApiProcess;
import io.meshwork.controlapi.support.SignedHttp;
import io.meshwork.proxyapi.AwsLogin;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.CallerIdentityRequest;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** AWS logins are configured by the environment variables the docs name, and a bad value stops the process at start. */
class AwsLoginConfigurationTest {
    @Test
    void theStsEndpointRegionAndServerIdsComeFromTheEnvironment() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String sts = "http://127.0.0.1:" + closedPort;
        try (ControlApiProcess api = ControlApiProcess.start(ControlApiProcess.env(
                "CONTROL_API_DATA_DIR", Files.createTempDirectory("meshwork-aws-login-").toString(),
                "CONTROL_API_STS_ENDPOINT", sts, "CONTROL_API_STS_REGION", "eu-west-1",
                "CONTROL_API_AWS_LOGIN_SERVER_ID", "meshwork.internal, 127.0.0.1"))) {
            api.awaitHealthy(Duration.ofSeconds(60));
            SignedHttp http = new SignedHttp(api.endpoint());
            JsonNode parameters = new ObjectMapper().readTree(http.sendUnsigned("GET", AwsLogin.PATH, null, Map.of()).body());
            assertEquals(sts + "/", parameters.path("stsEndpoint").asText());
            assertEquals("eu-west-1", parameters.path("stsRegion").asText());

            AwsLogin.Parameters signFor = new AwsLogin.Parameters(sts, "eu-west-1");
            AwsBasicCredentials aws = AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
            // Every check passed, so STS was asked, and it is not there: the second server id in the list is taken.
            HttpResponse<String> named = http.sendUnsigned("POST", AwsLogin.PATH, SnapshotJson.mapper().writeValueAsBytes(
                    CallerIdentityRequest.sign(aws, signFor, "meshwork.internal", Clock.systemUTC())),
                    Map.of("Content-Type", "application/json"));
            assertEquals(503, named.statusCode(), named.body());
            HttpResponse<String> other = http.sendUnsigned("POST", AwsLogin.PATH, SnapshotJson.mapper().writeValueAsBytes(
                    CallerIdentityRequest.sign(aws, signFor, "meshwork.example", Clock.systemUTC())),
                    Map.of("Content-Type", "application/json"));
            assertEquals(403, other.statusCode(), other.body());
            assertTrue(other.body().contains("not this one (meshwork.internal, 127.0.0.1)"), other.body());
        }
    }

    @Test
    void aSessionDurationOutOfRangeStopsTheProcess() throws Exception {
        assertStopsSaying("CONTROL_API_AWS_LOGIN_SESSION_DURATION must be between 5s and 12h, got PT13H",
                "CONTROL_API_AWS_LOGIN_SESSION_DURATION", "13h");
    }

    @Test
    void aRootKeyIdThatLooksLikeAnAwsKeyStopsTheProcess() throws Exception {
        assertStopsSaying("CONTROL_API_ROOT_ACCESS_KEY_ID may not start with MWS",
                "CONTROL_API_ROOT_ACCESS_KEY_ID", "ASIAROOTLOOKALIKE000");
    }

    private static void assertStopsSaying(String message, String variable, String value) throws Exception {
        try (ControlApiProcess api = ControlApiProcess.start(ControlApiProcess.env(
                "CONTROL_API_DATA_DIR", Files.createTempDirectory("meshwork-aws-login-").toString(), variable, value))) {
            assertEquals(2, api.awaitExit(Duration.ofSeconds(60)));
            assertTrue(api.output().contains(message), api.output());
        }
    }
}
