package io.meshwork.controlapi.config;

import io.meshwork.controlapi.support.ControlApiProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** Bad configuration stops the process with exit code 2 and one line that says what to fix. */
class StartupFailureTest {
    @Test
    void unreachableDatabaseNamesTheSettingAndHidesThePassword() throws Exception {
        try (ControlApiProcess api = ControlApiProcess.start(ControlApiProcess.env(
                "CONTROL_API_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/meshwork?password=hunter2&connectTimeout=2",
                "CONTROL_API_JDBC_PASSWORD", "hunter3"))) {
            assertEquals(2, api.awaitExit(Duration.ofSeconds(60)));
            assertTrue(api.output().contains("meshwork control-api: Cannot open CONTROL_API_JDBC_URL"), api.output());
            assertFalse(api.output().contains("hunter2"), api.output());
            assertFalse(api.output().contains("hunter3"), api.output());
        }
    }

    @Test
    void dataDirThatCannotBeCreatedIsNamed() throws Exception {
        Path file = Files.createTempFile("not-a-dir", ".txt");
        try (ControlApiProcess api = ControlApiProcess.start(ControlApiProcess.env(
                "CONTROL_API_DATA_DIR", file.resolve("data").toString()))) {
            assertEquals(2, api.awaitExit(Duration.ofSeconds(60)));
            assertTrue(api.output().contains("CONTROL_API_DATA_DIR"), api.output());
            assertTrue(api.output().contains("is not a writable directory"), api.output());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void halfARootKeyIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("meshwork-startup-");
        try (ControlApiProcess api = ControlApiProcess.start(ControlApiProcess.env(
                "CONTROL_API_DATA_DIR", dir.toString(), "CONTROL_API_ROOT_SECRET_ACCESS_KEY", ""))) {
            assertEquals(2, api.awaitExit(Duration.ofSeconds(60)));
            assertTrue(api.output().contains("Set both CONTROL_API_ROOT_ACCESS_KEY_ID and CONTROL_API_ROOT_SECRET_ACCESS_KEY"),
                    api.output());
            assertFalse(api.output().contains("Exception"), "one readable line, no stack trace: " + api.output());
        }
    }
}
