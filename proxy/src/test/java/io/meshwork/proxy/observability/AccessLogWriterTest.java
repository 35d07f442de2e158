package io.meshwork.proxy.observability;

import io.meshwork.proxy.change.PreparedChange;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxy.support.OpenFiles;
import io.meshwork.proxyapi.AccessLog;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Access-log files are held only while a configuration in force (or being prepared) names them. */
class AccessLogWriterTest {
    @TempDir
    Path dir;

    private final AccessLogWriter writer = new AccessLogWriter(new ProxyMetrics("m", "virtualNode", "web"));

    @Test
    void aReplacedLogFileIsClosedAndTheNewOneTakesTheLines() throws Exception {
        Path first = dir.resolve("first.log");
        Path second = dir.resolve("second.log");
        switchTo(first);
        writer.completed(request("/one"));
        eventually(Duration.ofSeconds(5), () -> assertTrue(Files.readString(first).contains("/one")));

        switchTo(second);
        writer.completed(request("/two"));

        eventually(Duration.ofSeconds(5), () -> assertTrue(Files.readString(second).contains("/two")));
        assertFalse(Files.readString(first).contains("/two"));
        assertFalse(OpenFiles.heldByThisProcess(first), "the replaced file is closed");
        assertTrue(OpenFiles.heldByThisProcess(second));
    }

    @Test
    void anAbortedLogFileIsClosedAndTheOneInForceKeepsTheLines() throws Exception {
        Path inForce = dir.resolve("in-force.log");
        Path refused = dir.resolve("refused.log");
        switchTo(inForce);

        writer.prepare(new AccessLog(refused.toString(), null, null)).abort();
        writer.completed(request("/after"));

        eventually(Duration.ofSeconds(5), () -> assertTrue(Files.readString(inForce).contains("/after")));
        assertFalse(OpenFiles.heldByThisProcess(refused));
    }

    @Test
    void aLogFileThatCannotBeOpenedFailsThePreparation() {
        Path nowhere = dir.resolve("missing-directory").resolve("access.log");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> writer.prepare(new AccessLog(nowhere.toString(), null, null)));
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    }

    @Test
    void leavingStandardOutputDoesNotCloseIt() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        AtomicBoolean closed = new AtomicBoolean();
        System.setOut(new PrintStream(new FilterOutputStream(printed) {
            @Override
            public void close() {
                closed.set(true);
            }
        }, true));
        try {
            switchTo(Path.of("/dev/stdout"));
            writer.completed(request("/to-stdout"));
            eventually(Duration.ofSeconds(5), () -> assertTrue(printed.toString().contains("/to-stdout")));

            switchTo(dir.resolve("file.log"));

            assertFalse(closed.get(), "standard output is the process's own: never closed");
        } finally {
            System.setOut(original);
        }
    }

    private void switchTo(Path file) {
        PreparedChange change = writer.prepare(new AccessLog(file.toString(), null, null));
        change.commit();
        change.releasePrevious();
    }

    private static ExchangeRecord request(String path) {
        return new ExchangeRecord("ingress", "GET", path, "HTTP/1.1", "web.local", new DefaultHttpHeaders(), new DefaultHttpHeaders(),
                200, ResponseFlag.NONE, 0, 2, System.currentTimeMillis(), 1_000_000, "local_app", null, new InetSocketAddress("127.0.1.1", 8000),
                new InetSocketAddress("127.0.0.1", 40000));
    }

}
