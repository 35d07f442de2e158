package io.meshwork.controlapi.auth.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cloudmap.testing.MotoIdentities;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.Postgres;
import io.meshwork.controlapi.support.SignedHttp;
import io.meshwork.proxyapi.AwsLogin;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.CallerIdentityRequest;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.ForbiddenException;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * AWS identities against moto_server's STS, with moto checking every signature, access key and
 * session token it is sent (as STS does): an assumed role's temporary credentials drive the
 * App Mesh API through the real SDK once its role is mapped; anything unmapped, forged,
 * tampered with, stale or meant for another server gets no session.
 */
class AwsLoginTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDERS_ROLE = "arn:aws:iam::123456789012:role/ecs/orders-task";
    private static final String ORDERS_POLICY = """
            {"Statement": [{"Effect": "Allow", "Action": "appmesh:*",
              "Resource": ["arn:aws:appmesh:us-east-1:000000000000:mesh/orders",
                           "arn:aws:appmesh:us-east-1:000000000000:mesh/orders/*"]}]}""";
    private static final String SERVER_ID = "127.0.0.1";

    private static MotoServer moto;
    private static ControlApiServer server;
    private static SignedHttp http;
    private static AwsSessionCredentials orders;
    private static AwsSessionCredentials billing;
    private static AwsSessionCredentials ordersInAnotherAccount;
    private static AwsSessionCredentials ephemeral;

    @BeforeAll
    static void start() throws IOException {
        moto = new MotoServer();
        MotoIdentities identities = new MotoIdentities(moto);
        // What an ECS task role (or IRSA, or an instance profile) hands a workload: an assumed role's session.
        orders = identities.assumeRole(ORDERS_ROLE, "task-1");
        billing = identities.assumeRole("arn:aws:iam::123456789012:role/billing-task", "task-2");
        ordersInAnotherAccount = identities.assumeRole("arn:aws:iam::111122223333:role/orders-task", "task-3");
        ephemeral = identities.assumeRole("arn:aws:iam::123456789012:role/ephemeral-task", "task-4");
        identities.enableSignatureChecks();
        server = ControlApiServer.start(stsSettings());
        http = new SignedHttp(server.endpoint());
        assertEquals(200, putMapping(ORDERS_ROLE, ORDERS_POLICY).statusCode());
    }

    @AfterAll
    static void stop() {
        server.close();
        moto.close();
    }

    @Test
    void anAssumedRolesCredentialsDriveTheAppMeshApiThroughTheSdkOnceTheRoleIsMapped() {
        try (AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), loggingIn(orders))) {
            client.createMesh(r -> r.meshName("orders"));
            assertEquals("orders", client.describeMesh(r -> r.meshName("orders")).mesh().meshName());
            ForbiddenException outside = assertThrows(ForbiddenException.class, () -> client.createMesh(r -> r.meshName("payments")));
            assertTrue(outside.getMessage().contains("User: arn:aws:sts::123456789012:assumed-role/orders-task/task-1 is not"
                    + " authorized to perform: appmesh:CreateMesh"), outside.getMessage());
        }
    }

    @Test
    void aLoginAnswersSessionCredentialsOfTheRoleThatSignedItAndTheMappingItMatched() throws IOException {
        HttpResponse<String> response = login(signed(orders, SERVER_ID, Instant.now()));
        assertEquals(200, response.statusCode(), response.body());
        AwsLogin.Session session = SnapshotJson.mapper().readValue(response.body(), AwsLogin.Session.class);
        assertTrue(session.accessKeyId().startsWith("MWS"), session.accessKeyId());
        assertEquals("arn:aws:sts::123456789012:assumed-role/orders-task/task-1", session.principalArn());
        assertEquals(ORDERS_ROLE, session.mappedArn(), "the mapping names the role with its path; STS does not");
        long lifetime = session.expirationMillis() - System.currentTimeMillis();
        assertTrue(lifetime > 3_500_000 && lifetime <= 3_600_000, "a one-hour session by default: " + lifetime);
        assertFalse(response.body().contains(orders.secretAccessKey()), "the AWS secret never travels");
    }

    @Test
    void aRoleWithoutAMappingIsRefusedAndToldWhy() {
        try (AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), loggingIn(billing))) {
            SdkClientException refused = assertThrows(SdkClientException.class, () -> client.listMeshes(r -> { }));
            assertTrue(refused.getMessage().contains("403 ForbiddenException: AWS principal arn:aws:sts::123456789012:assumed-role/"
                    + "billing-task/task-2 (arn:aws:iam::123456789012:role/billing-task) is not mapped"), refused.getMessage());
        }
        assertRefused(login(signed(billing, SERVER_ID, Instant.now())), "is not mapped");
    }

    @Test
    void theSameRoleNameInAnotherAccountIsNotTheMappedRole() {
        assertRefused(login(signed(ordersInAnotherAccount, SERVER_ID, Instant.now())),
                "arn:aws:sts::111122223333:assumed-role/orders-task/task-3 (arn:aws:iam::111122223333:role/orders-task) is not mapped");
    }

    static Stream<Arguments> forgeries() {
        return Stream.of(
                // Refused by STS (moto checks the signature, the key and the token as STS does):
                forgery("a signature altered after signing", l -> withHeader(l, "Authorization",
                        flipLastChar(header(l, "Authorization"))), "SignatureDoesNotMatch"),
                forgery("a request signed with a secret that is not the key's", l -> signed(AwsSessionCredentials.create(
                        orders.accessKeyId(), "not-the-secret", orders.sessionToken()), SERVER_ID, Instant.now()), "SignatureDoesNotMatch"),
                forgery("another session's token", l -> signed(AwsSessionCredentials.create(orders.accessKeyId(),
                        orders.secretAccessKey(), billing.sessionToken()), SERVER_ID, Instant.now()), "InvalidClientTokenId"),
                forgery("a server id changed after signing", l -> withHeader(signed(orders, "meshwork.other.example", Instant.now()),
                        AwsLogin.SERVER_ID_HEADER, SERVER_ID), "SignatureDoesNotMatch"),
                // Refused by the control API before STS is asked:
                forgery("a login meant for another control API", l -> signed(orders, "meshwork.other.example", Instant.now()),
                        "names the control API 'meshwork.other.example'"),
                forgery("a login signed 20 minutes ago (moto would still accept it)", l -> signed(orders, SERVER_ID,
                        Instant.now().minus(Duration.ofMinutes(20))), "more than 15 minutes"),
                forgery("a signed request for another STS action", l -> new AwsLogin(l.method(), l.url(), l.headers(),
                        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin&RoleSessionName=x"),
                        "body must be exactly Action=GetCallerIdentity"),
                forgery("an extra parameter", l -> new AwsLogin(l.method(), l.url(), l.headers(), AwsLogin.BODY + "&DurationSeconds=1"),
                        "body must be exactly"),
                forgery("a GET", l -> new AwsLogin("GET", l.url(), l.headers(), l.body()), "signed POST"),
                forgery("a URL of the caller's choosing", l -> new AwsLogin(l.method(), "https://sts.evil.example/", l.headers(), l.body()),
                        "this control API's STS endpoint"),
                forgery("a Host that is not the STS endpoint's", l -> withHeader(l, "Host", "sts.amazonaws.com"),
                        "signed for host 'sts.amazonaws.com'"),
                forgery("a signature that does not cover the server id", l -> withHeader(l, "Authorization",
                        header(l, "Authorization").replace(";x-meshwork-server-id", "")), "must cover the header 'x-meshwork-server-id'"),
                forgery("a header value no SDK could have signed (a control character)", l -> withHeader(l, "X-Amz-Security-Token",
                        header(l, "X-Amz-Security-Token") + "\u0001"), "visible ASCII"),
                forgery("a signature for another service", l -> withHeader(l, "Authorization",
                        header(l, "Authorization").replace("/sts/aws4_request", "/appmesh/aws4_request")), "service 'sts'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void aForgedTamperedStaleOrMisdirectedLoginGetsNoSession(String what, UnaryOperator<AwsLogin> forge, String reason) {
        AwsLogin genuine = signed(orders, SERVER_ID, Instant.now());
        assertEquals(200, login(genuine).statusCode(), "the genuine login works");
        assertRefused(login(forge.apply(genuine)), reason);
    }

    @Test
    void anAwsKeySigningTheApiDirectlyIsToldToLogInFirst() {
        try (AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), StaticCredentialsProvider.create(orders))) {
            ForbiddenException refused = assertThrows(ForbiddenException.class, () -> client.listMeshes(r -> { }));
            assertTrue(refused.getMessage().contains(orders.accessKeyId() + " is an AWS access key"), refused.getMessage());
            assertTrue(refused.getMessage().contains("POST /meshwork/v1/aws-login"), refused.getMessage());
        }
    }

    @Test
    void deletingAMappingEndsItsSessionsAtOnce() throws IOException {
        String role = "arn:aws:iam::123456789012:role/ephemeral-task";
        assertEquals(200, putMapping(role, "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"appmesh:List*\","
                + " \"Resource\": \"*\"}]}").statusCode());
        AwsLogin.Session session = SnapshotJson.mapper().readValue(login(signed(ephemeral, SERVER_ID, Instant.now())).body(),
                AwsLogin.Session.class);
        try (AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), StaticCredentialsProvider.create(
                AwsSessionCredentials.create(session.accessKeyId(), session.secretAccessKey(), session.sessionToken())))) {
            client.listMeshes(r -> { });
            assertEquals(200, http.send("DELETE", "/meshwork/v1/aws-principals?arn=" + role.replace(":", "%3A").replace("/", "%2F"),
                    null).statusCode());
            ForbiddenException ended = assertThrows(ForbiddenException.class, () -> client.listMeshes(r -> { }));
            assertTrue(ended.getMessage().contains("is no longer mapped"), ended.getMessage());
            assertRefused(login(signed(ephemeral, SERVER_ID, Instant.now())), "is not mapped");

            // Mapping the role again (how an operator cuts off a stolen session) does not revive the old session.
            assertEquals(200, putMapping(role, "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"appmesh:List*\","
                    + " \"Resource\": \"*\"}]}").statusCode());
            ForbiddenException stillEnded = assertThrows(ForbiddenException.class, () -> client.listMeshes(r -> { }));
            assertTrue(stillEnded.getMessage().contains("issued before its role's current mapping"), stillEnded.getMessage());
        }
        AwsLogin.Session fresh = SnapshotJson.mapper().readValue(login(signed(ephemeral, SERVER_ID, Instant.now())).body(),
                AwsLogin.Session.class);
        try (AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), StaticCredentialsProvider.create(
                AwsSessionCredentials.create(fresh.accessKeyId(), fresh.secretAccessKey(), fresh.sessionToken())))) {
            client.listMeshes(r -> { });
        }
    }

    @Test
    void aDenyOnOneRolesMappingHoldsWhateverTheCaseTheCallerSpellsItIn() throws IOException {
        String policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"meshwork:*AwsPrincipal*\", \"Resource\": \"*\"},"
                + " {\"Effect\": \"Deny\", \"Action\": \"meshwork:*\","
                + " \"Resource\": \"arn:meshwork:iam::000000000000:aws-principal/123456789012/role/guarded-task\"}]}";
        JsonNode delegate = JSON.readTree(http.send("POST", "/meshwork/v1/access-keys", ("{\"name\": \"delegate\", \"policy\": "
                + policy + "}").getBytes(StandardCharsets.UTF_8)).body());
        String keyId = delegate.path("accessKeyId").asText();
        String secret = delegate.path("secretAccessKey").asText();
        assertEquals(200, http.send("PUT", "/meshwork/v1/aws-principals", mapping("arn:aws:iam::123456789012:role/other-task",
                ORDERS_POLICY), keyId, secret, Instant.now()).statusCode(), "the delegate may map other roles");
        for (String spelling : List.of("guarded-task", "GUARDED-TASK", "Guarded-Task")) {
            HttpResponse<String> put = http.send("PUT", "/meshwork/v1/aws-principals", mapping("arn:aws:iam::123456789012:role/"
                    + spelling, "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"), keyId, secret,
                    Instant.now());
            assertEquals(403, put.statusCode(), spelling + ": " + put.body());
            HttpResponse<String> delete = http.send("DELETE", "/meshwork/v1/aws-principals?arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2F"
                    + spelling, null, keyId, secret, Instant.now());
            assertEquals(403, delete.statusCode(), spelling + ": " + delete.body());
        }
    }

    @Test
    void aSessionTokenThatWasTamperedWithOrMadeUpIsRefused() throws IOException {
        AwsLogin.Session session = SnapshotJson.mapper().readValue(login(signed(orders, SERVER_ID, Instant.now())).body(),
                AwsLogin.Session.class);
        byte[] sealed = Base64.getDecoder().decode(session.sessionToken());
        sealed[sealed.length / 2] ^= 1;
        for (String token : List.of(Base64.getEncoder().encodeToString(sealed),
                Base64.getEncoder().encodeToString("{\"k\":\"x\"}".getBytes(StandardCharsets.UTF_8)))) {
            try (AppMeshClient client = ControlApiServer.clientFor(server.endpoint(), StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(session.accessKeyId(), session.secretAccessKey(), token)))) {
                ForbiddenException refused = assertThrows(ForbiddenException.class, () -> client.listMeshes(r -> { }));
                assertTrue(refused.getMessage().contains("not a session token of this control API"), refused.getMessage());
            }
        }
    }

    @Test
    void aSessionIssuedByOneReplicaWorksOnAnotherSharingTheStoreAndKey() {
        Map<String, Object> shared = new java.util.HashMap<>(stsSettings());
        shared.putAll(Postgres.newDatabase());
        shared.put("control-api.encryption-key", Base64.getEncoder().encodeToString(new byte[32]));
        try (ControlApiServer first = ControlApiServer.start(shared);
             ControlApiServer second = ControlApiServer.start(shared)) {
            assertEquals(200, new SignedHttp(first.endpoint()).send("PUT", "/meshwork/v1/aws-principals",
                    mapping(ORDERS_ROLE, ORDERS_POLICY)).statusCode());
            ControlApiCredentialsProvider viaFirst = loggingIn(orders, first);
            try (AppMeshClient onSecond = ControlApiServer.clientFor(second.endpoint(),
                    StaticCredentialsProvider.create(viaFirst.resolveCredentials()))) {
                onSecond.createMesh(r -> r.meshName("orders"));
            }
        }
    }

    @Test
    void theMappingApiIsForAdministratorsAndSaysWhatAnArnMustLookLike() throws IOException {
        JsonNode limited = JSON.readTree(http.send("POST", "/meshwork/v1/access-keys", ("{\"name\": \"pipeline\", \"policy\": "
                + ORDERS_POLICY + "}").getBytes(StandardCharsets.UTF_8)).body());
        HttpResponse<String> notAdmin = http.send("PUT", "/meshwork/v1/aws-principals", mapping("arn:aws:iam::123456789012:role/x",
                ORDERS_POLICY), limited.path("accessKeyId").asText(), limited.path("secretAccessKey").asText(), Instant.now());
        assertEquals(403, notAdmin.statusCode(), notAdmin.body());
        assertTrue(notAdmin.body().contains("meshwork:PutAwsPrincipal"), notAdmin.body());

        HttpResponse<String> session = http.send("PUT", "/meshwork/v1/aws-principals",
                mapping("arn:aws:sts::123456789012:assumed-role/orders-task/task-1", ORDERS_POLICY));
        assertEquals(400, session.statusCode());
        assertTrue(session.body().contains("map its role"), session.body());
        HttpResponse<String> notAnArn = http.send("PUT", "/meshwork/v1/aws-principals", mapping("orders-task", ORDERS_POLICY));
        assertEquals(400, notAnArn.statusCode());
        assertTrue(notAnArn.body().contains("is not the ARN of an IAM role or user"), notAnArn.body());
        HttpResponse<String> conditions = http.send("PUT", "/meshwork/v1/aws-principals", mapping(ORDERS_ROLE,
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {}}]}"));
        assertEquals(400, conditions.statusCode(), "policies are checked as access keys' are: " + conditions.body());

        JsonNode listed = JSON.readTree(http.send("GET", "/meshwork/v1/aws-principals", null).body());
        assertTrue(listed.path("awsPrincipals").findValuesAsText("arn").contains(ORDERS_ROLE), listed.toString());
        HttpResponse<String> unknown = http.send("DELETE", "/meshwork/v1/aws-principals?arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fnobody",
                null);
        assertEquals(404, unknown.statusCode());
        assertEquals("NotFoundException", unknown.headers().firstValue("x-amzn-ErrorType").orElse(null));
    }

    private static Arguments forgery(String what, UnaryOperator<AwsLogin> forge, String reason) {
        return Arguments.of(what, forge, reason);
    }

    static Map<String, Object> stsSettings() {
        return Map.of("control-api.sts.endpoint", moto.endpoint().toString(), "control-api.aws-login.server-id", SERVER_ID);
    }

    private static ControlApiCredentialsProvider loggingIn(AwsSessionCredentials aws) {
        return loggingIn(aws, server);
    }

    private static ControlApiCredentialsProvider loggingIn(AwsSessionCredentials aws, ControlApiServer to) {
        AwsCredentialsProvider chain = StaticCredentialsProvider.create(aws);
        return ControlApiCredentialsProvider.builder().controlApi(to.endpoint()).awsCredentials(chain).build();
    }

    private static AwsLogin signed(AwsSessionCredentials aws, String serverId, Instant at) {
        AwsLogin.Parameters sts = new AwsLogin.Parameters(moto.endpoint() + "/", "us-east-1");
        return CallerIdentityRequest.sign(aws, sts, serverId, Clock.fixed(at, ZoneOffset.UTC));
    }

    private static HttpResponse<String> login(AwsLogin login) {
        try {
            return http.sendUnsigned("POST", AwsLogin.PATH, SnapshotJson.mapper().writeValueAsBytes(login),
                    Map.of("Content-Type", "application/json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRefused(HttpResponse<String> response, String reason) {
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("ForbiddenException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertTrue(response.body().contains(reason), "refused because " + reason + ": " + response.body());
        assertFalse(response.body().contains("sessionToken"), response.body());
    }

    private static HttpResponse<String> putMapping(String arn, String policy) {
        return http.send("PUT", "/meshwork/v1/aws-principals", mapping(arn, policy));
    }

    private static byte[] mapping(String arn, String policy) {
        return ("{\"arn\": \"" + arn + "\", \"policy\": " + policy + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String header(AwsLogin login, String name) {
        return login.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElseThrow();
    }

    private static AwsLogin withHeader(AwsLogin login, String name, String value) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(login.headers());
        headers.put(name, List.of(value));
        return new AwsLogin(login.method(), login.url(), headers, login.body());
    }

    private static String flipLastChar(String authorization) {
        char last = authorization.charAt(authorization.length() - 1);
        return authorization.substring(0, authorization.length() - 1) + (last == '0' ? '1' : '0');
    }
}
