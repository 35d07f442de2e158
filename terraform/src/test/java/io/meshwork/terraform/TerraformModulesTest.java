package io.meshwork.terraform;

import io.meshwork.terraform.support.Terraform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every module and example is formatted, valid against the aws provider's schema (5.100.0), and
 * every module's terraform test (a mocked provider asserting what users depend on) passes.
 */
class TerraformModulesTest {
    private static Terraform terraform;

    @BeforeAll
    static void copy() {
        terraform = Terraform.inCopy();
    }

    @AfterAll
    static void clean() {
        if (terraform != null) {
            terraform.delete();
        }
    }

    @Test
    void everyFileIsFormatted() {
        Terraform.Result fmt = terraform.run(".", "fmt", "-check", "-recursive", "-no-color");
        assertEquals(0, fmt.exitCode(), "terraform fmt would change:\n" + fmt.all());
    }

    @Test
    void everyModuleAndExampleIsHere() throws IOException {
        try (var modules = Files.list(Terraform.SOURCES.resolve("modules")); var examples = Files.list(Terraform.SOURCES.resolve("examples"))) {
            assertEquals(List.of("control-plane", "ec2-proxy", "meshed-service"), modules.map(p -> p.getFileName().toString()).sorted().toList());
            assertEquals(List.of("control-plane", "ecs-mesh"), examples.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"modules/control-plane", "modules/meshed-service", "modules/ec2-proxy"})
    void moduleIsValidAndItsTestsPass(String module) {
        terraform.ok(module, "init", "-backend=false", "-input=false", "-no-color");
        terraform.ok(module, "validate", "-no-color");
        Terraform.Result test = terraform.ok(module, "test", "-no-color");
        assertTrue(test.stdout().contains("0 failed"), test.stdout());
        assertFalse(test.stdout().contains("skip"), "no run may be skipped:\n" + test.stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"examples/control-plane", "examples/ecs-mesh"})
    void exampleIsValid(String example) {
        terraform.ok(example, "init", "-backend=false", "-input=false", "-no-color");
        terraform.ok(example, "validate", "-no-color");
    }
}
