package io.meshwork.proxy.observability;

import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.*;

class ProcessLoggingTest {
    @Test
    void oneLinePerEventWithUtcTimeLevelAndShortLoggerName() {
        LogRecord record = new LogRecord(Level.WARNING, "listening on {0}");
        record.setParameters(new Object[] {"/127.0.0.1:15001"});
        record.setLoggerName("io.meshwork.proxy.listener.ListenerManager");
        record.setMillis(1_795_000_000_123L);
        String line = new ProcessLogging.LineFormatter().format(record);
        assertEquals("2026-11-18T11:06:40.123Z level=WARN logger=ListenerManager listening on /127.0.0.1:15001\n", line);
    }

    @Test
    void envoyAndSlf4jLevelNamesAreAcceptedAndOthersRefused() {
        assertEquals(Level.FINE, ProcessLogging.julLevel("debug"));
        assertEquals(Level.SEVERE, ProcessLogging.julLevel("critical"));
        assertEquals(Level.WARNING, ProcessLogging.julLevel("warning"));
        assertEquals(Level.INFO, ProcessLogging.julLevel(null));
        assertThrows(IllegalArgumentException.class, () -> ProcessLogging.julLevel("loud"));
    }
}
