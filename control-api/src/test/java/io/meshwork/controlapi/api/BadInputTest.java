package io.meshwork.controlapi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.SignedHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Requests no SDK would send: each gets a 4xx in App Mesh's error shape (status,
 * x-amzn-ErrorType, {"message"}), never a 5xx, and leaves the stored mesh untouched.
 */
class BadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ControlApiServer server;
    private static SignedHttp http;

    @BeforeAll
    static void start() {
        server = ControlApiServer.start();
        http = new SignedHttp(server.endpoint());
        assertEquals(200, http.send("PUT", "/v20190125/meshes", utf8("{\"meshName\":\"bad-input\"}")).statusCode());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> badBodies() {
        byte[] huge = new byte[2 * 1024 * 1024];
        Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        String deep = "{\"virtualNodeName\":\"x\",\"spec\":" + "[".repeat(200) + "]".repeat(200) + "}";
        return Stream.of(
                Arguments.of("malformed JSON", utf8("{\"virtualNodeName\": \"x\", \"spec\": {"), "BadRequestException"),
                Arguments.of("not an object", utf8("[1,2,3]"), "BadRequestException"),
                Arguments.of("wrong type for the name", utf8("{\"virtualNodeName\": 7, \"spec\": {}}"), "BadRequestException"),
                Arguments.of("wrong type deep inside", utf8("{\"virtualNodeName\":\"x\",\"spec\":{\"listeners\":"
                        + "[{\"portMapping\":{\"port\":\"eighty\",\"protocol\":\"http\"}}]}}"), "BadRequestException"),
                Arguments.of("fraction for an integer", utf8("{\"virtualNodeName\":\"x\",\"spec\":{\"listeners\":"
                        + "[{\"portMapping\":{\"port\":80.5,\"protocol\":\"http\"}}]}}"), "BadRequestException"),
                Arguments.of("number beyond long", utf8("{\"virtualNodeName\":\"x\",\"spec\":{\"listeners\":"
                        + "[{\"portMapping\":{\"port\":123456789012345678901234567890,\"protocol\":\"http\"}}]}}"), "BadRequestException"),
                Arguments.of("unknown field", utf8("{\"virtualNodeName\":\"x\",\"spec\":{\"listenerz\":[]}}"), "BadRequestException"),
                Arguments.of("unknown top-level field", utf8("{\"virtualNodeName\":\"x\",\"spec\":{},\"extra\":1}"), "BadRequestException"),
                Arguments.of("duplicate key", utf8("{\"virtualNodeName\":\"x\",\"virtualNodeName\":\"y\",\"spec\":{}}"), "BadRequestException"),
                Arguments.of("trailing garbage", utf8("{\"virtualNodeName\":\"x\",\"spec\":{}} {}"), "BadRequestException"),
                Arguments.of("bad UTF-8", concat(utf8("{\"virtualNodeName\":\"x"), new byte[] {(byte) 0xC3, (byte) 0x28},
                        utf8("\",\"spec\":{}}")), "BadRequestException"),
                Arguments.of("absurd nesting", utf8(deep), "BadRequestException"),
                Arguments.of("huge body", huge, "BadRequestException"),
                Arguments.of("missing required spec", utf8("{\"virtualNodeName\":\"x\"}"), "BadRequestException"),
                Arguments.of("name too long", utf8("{\"virtualNodeName\":\"" + "n".repeat(256) + "\",\"spec\":{}}"), "BadRequestException"),
                Arguments.of("name with a slash", utf8("{\"virtualNodeName\":\"a/b\",\"spec\":{}}"), "BadRequestException"),
                Arguments.of("null union", utf8("{\"virtualNodeName\":\"x\",\"spec\":{\"serviceDiscovery\":{}}}"), "BadRequestException"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesGetA4xxInTheErrorShape(String what, byte[] body, String errorType) throws Exception {
        HttpResponse<String> response = http.send("PUT", "/v20190125/meshes/bad-input/virtualNodes", body);
        assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, what + ": " + response.statusCode());
        assertEquals(errorType, response.headers().firstValue("x-amzn-ErrorType").orElse(null), what);
        JsonNode json = JSON.readTree(response.body());
        assertTrue(json.path("message").isTextual() && !json.path("message").asText().isEmpty(), what + ": " + response.body());
        assertTrue(response.headers().firstValue("x-amzn-RequestId").isPresent());
        HttpResponse<String> list = http.send("GET", "/v20190125/meshes/bad-input/virtualNodes", null);
        assertEquals("[]", JSON.readTree(list.body()).path("virtualNodes").toString(), "nothing was stored");
    }

    @Test
    void badQueryParametersAreBadRequest() {
        assertBadRequest(http.send("GET", "/v20190125/meshes?limit=0", null));
        assertBadRequest(http.send("GET", "/v20190125/meshes?limit=101", null));
        assertBadRequest(http.send("GET", "/v20190125/meshes?limit=lots", null));
        assertBadRequest(http.send("GET", "/v20190125/meshes?nextToken=not-a-token", null));
        assertBadRequest(http.send("GET", "/v20190125/meshes/bad-input?meshOwner=123", null));
        assertBadRequest(http.send("GET", "/v20190125/tags?resourceArn=nonsense", null));
        assertBadRequest(http.send("GET", "/v20190125/tags", null));
    }

    @Test
    void unknownPathsAndMethodsAnswerInTheErrorShape() {
        HttpResponse<String> unknown = http.send("GET", "/v20190125/nothing-here", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("NotFoundException", unknown.headers().firstValue("x-amzn-ErrorType").orElse(null));
        HttpResponse<String> wrongMethod = http.send("POST", "/v20190125/meshes", utf8("{}"));
        assertTrue(wrongMethod.statusCode() >= 400 && wrongMethod.statusCode() < 500);
        assertTrue(wrongMethod.headers().firstValue("x-amzn-ErrorType").isPresent());
    }

    private static void assertBadRequest(HttpResponse<String> response) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("BadRequestException", response.headers().firstValue("x-amzn-ErrorType").orElse(null));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
