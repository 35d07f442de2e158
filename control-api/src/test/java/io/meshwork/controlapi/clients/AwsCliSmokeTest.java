package io.meshwork.controlapi.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.support.Command;
import io.meshwork.controlapi.support.ControlApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The aws CLI (botocore, Python) against the control API: a pipeline's everyday commands. */
class AwsCliSmokeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ControlApiServer server;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Command.onPath("aws"),
                "the aws CLI is not installed (.ci/run installs Debian's awscli); skipping the CLI smoke test");
        server = ControlApiServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pipelineCommandsWorkAgainstMeshwork() throws Exception {
        JsonNode mesh = ok("create-mesh", "--mesh-name", "cli", "--tags", "key=team,value=platform").path("mesh");
        assertEquals("arn:aws:appmesh:us-east-1:000000000000:mesh/cli", mesh.path("metadata").path("arn").asText());
        assertEquals("DROP_ALL", mesh.path("spec").path("egressFilter").path("type").asText());

        ok("create-virtual-node", "--mesh-name", "cli", "--virtual-node-name", "web", "--spec",
                "{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}],"
                        + "\"serviceDiscovery\":{\"dns\":{\"hostname\":\"web.cli.local\"}}}");
        JsonNode updated = ok("update-virtual-node", "--mesh-name", "cli", "--virtual-node-name", "web", "--spec",
                "{\"listeners\":[{\"portMapping\":{\"port\":9090,\"protocol\":\"http2\"}}],"
                        + "\"serviceDiscovery\":{\"dns\":{\"hostname\":\"web.cli.local\"}}}").path("virtualNode");
        assertEquals(2, updated.path("metadata").path("version").asInt());
        assertEquals(9090, updated.path("spec").path("listeners").get(0).path("portMapping").path("port").asInt());

        ok("create-virtual-service", "--mesh-name", "cli", "--virtual-service-name", "web.cli.local", "--spec",
                "{\"provider\":{\"virtualNode\":{\"virtualNodeName\":\"web\"}}}");
        assertEquals(1, ok("list-virtual-services", "--mesh-name", "cli").path("virtualServices").size());
        assertEquals("platform", ok("list-tags-for-resource", "--resource-arn",
                "arn:aws:appmesh:us-east-1:000000000000:mesh/cli").path("tags").get(0).path("value").asText());

        Command.Result missing = aws("describe-virtual-node", "--mesh-name", "cli", "--virtual-node-name", "nope");
        assertNotEquals(0, missing.exitCode());
        assertTrue(missing.stderr().contains("NotFoundException"), missing.all());

        Command.Result inUse = aws("delete-virtual-node", "--mesh-name", "cli", "--virtual-node-name", "web");
        assertTrue(inUse.stderr().contains("ResourceInUseException"), inUse.all());

        ok("delete-virtual-service", "--mesh-name", "cli", "--virtual-service-name", "web.cli.local");
        ok("delete-virtual-node", "--mesh-name", "cli", "--virtual-node-name", "web");
        assertEquals("DELETED", ok("delete-mesh", "--mesh-name", "cli").path("mesh").path("status").path("status").asText());
    }

    @Test
    void wrongCredentialsAreForbidden() {
        Command.Result result = Command.run(Path.of("."), Map.of("AWS_ACCESS_KEY_ID", ControlApiServer.ROOT_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", "wrong", "AWS_DEFAULT_REGION", "us-east-1", "AWS_CONFIG_FILE", "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE", "/dev/null"), 60, List.of("aws", "appmesh", "list-meshes",
                "--endpoint-url", server.endpoint().toString()));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("ForbiddenException"), result.all());
    }

    private static JsonNode ok(String... args) throws Exception {
        Command.Result result = aws(args);
        assertEquals(0, result.exitCode(), result.all());
        return JSON.readTree(result.stdout());
    }

    private static Command.Result aws(String... args) {
        List<String> command = new ArrayList<>(List.of("aws", "appmesh"));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", server.endpoint().toString(), "--output", "json"));
        return Command.run(Path.of("."), Map.of("AWS_ACCESS_KEY_ID", ControlApiServer.ROOT_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", ControlApiServer.ROOT_SECRET, "AWS_DEFAULT_REGION", "us-east-1",
                "AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null", "AWS_PAGER", ""), 60, command);
    }
}
