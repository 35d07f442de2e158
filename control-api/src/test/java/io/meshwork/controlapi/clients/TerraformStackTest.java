package io.meshwork.controlapi.clients;

import io.meshwork.controlapi.support.Command;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stock Terraform AWS provider (5.100.0, from the machine's offline mirror) drives a
 * realistic stack of all seven aws_appmesh_* kinds against the control API: apply, a plan
 * with no changes (any field that does not round-trip would show as a perpetual diff), an
 * update, and a destroy that leaves nothing behind.
 */
class TerraformStackTest {
    private static final String PROVIDER = "registry.terraform.io/hashicorp/aws/5.100.0";
    private static ControlApiServer server;
    private static Path workDir;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws IOException {
        Path mirror = providerMirror();
        Assumptions.assumeTrue(Command.onPath("terraform") && mirror != null,
                "terraform or its offline hashicorp/aws 5.100.0 mirror is missing (set MESHWORK_TF_PROVIDER_MIRROR);"
                        + " skipping the Terraform test");
        server = ControlApiServer.start();
        workDir = Files.createTempDirectory("meshwork-tf-");
        try (InputStream in = TerraformStackTest.class.getResourceAsStream("/terraform/stack/main.tf")) {
            Files.copy(in, workDir.resolve("main.tf"));
        }
        Path cliConfig = workDir.resolve("cli.tfrc");
        Files.writeString(cliConfig, "provider_installation {\n  filesystem_mirror {\n    path = \"" + mirror
                + "\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n  direct {\n"
                + "    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n");
        env = Map.of("TF_CLI_CONFIG_FILE", cliConfig.toString(), "TF_IN_AUTOMATION", "1",
                "CHECKPOINT_DISABLE", "1", "TF_VAR_endpoint", server.endpoint().toString(),
                "TF_VAR_access_key", ControlApiServer.ROOT_KEY_ID, "TF_VAR_secret_key", ControlApiServer.ROOT_SECRET);
        Command.Result init = terraform("init", "-input=false", "-no-color");
        assertEquals(0, init.exitCode(), init.all());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        TestFiles.deleteRecursively(workDir);
    }

    @Test
    void applyPlanUpdateAndDestroyRoundTripExactly() {
        Command.Result apply = terraform("apply", "-auto-approve", "-input=false", "-no-color");
        assertEquals(0, apply.exitCode(), apply.all());
        assertTrue(apply.stdout().contains("15 added"), apply.stdout());

        assertNoChanges("after apply");

        Command.Result update = terraform("apply", "-auto-approve", "-input=false", "-no-color", "-var", "canary_weight=50");
        assertEquals(0, update.exitCode(), update.all());
        assertTrue(update.stdout().contains("0 added, 1 changed, 0 destroyed"), update.stdout());
        try (AppMeshClient client = server.client()) {
            var route = client.describeRoute(r -> r.meshName("shop").virtualRouterName("catalog").routeName("catalog")).route();
            assertEquals(List.of(50, 50), route.spec().httpRoute().action().weightedTargets().stream()
                    .map(WeightedTarget::weight).toList());
            assertEquals(2L, route.metadata().version());
        }
        assertNoChanges("after the update", "-var", "canary_weight=50");

        Command.Result destroy = terraform("destroy", "-auto-approve", "-input=false", "-no-color", "-var", "canary_weight=50");
        assertEquals(0, destroy.exitCode(), destroy.all());
        try (AppMeshClient client = server.client()) {
            assertEquals(List.of(), client.listMeshes(r -> { }).meshes());
        }
    }

    private static void assertNoChanges(String when, String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "-detailed-exitcode", "-input=false", "-no-color"));
        args.addAll(List.of(extra));
        Command.Result plan = terraform(args.toArray(String[]::new));
        assertEquals(0, plan.exitCode(), "plan " + when + " is not empty:\n" + plan.all());
    }

    private static Command.Result terraform(String... args) {
        List<String> command = new ArrayList<>();
        command.add("terraform");
        command.addAll(List.of(args));
        return Command.run(workDir, env, 300, command);
    }

    /** MESHWORK_TF_PROVIDER_MIRROR, or the mirror this machine image ships under /opt/tf-plugins. */
    private static Path providerMirror() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("MESHWORK_TF_PROVIDER_MIRROR");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        candidates.add(Path.of("/opt/tf-plugins"));
        candidates.add(Path.of(System.getProperty("user.home"), ".terraform.d", "plugins"));
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate.resolve(PROVIDER))) {
                return candidate;
            }
        }
        return null;
    }
}
