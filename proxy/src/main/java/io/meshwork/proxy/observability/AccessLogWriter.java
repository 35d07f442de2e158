package io.meshwork.proxy.observability;

import io.meshwork.proxy.observability.ExchangeObserver;
import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxyapi.AccessLog;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes access log lines to the node's configured file from a background thread: the request
 * path only formats and enqueues. When the disk cannot keep up, lines are dropped and counted
 * rather than slowing traffic down.
 */
public final class AccessLogWriter implements ExchangeObserver {
    private static final int QUEUE = 16_384;

    private record Sink(AccessLog spec, AccessLogFormat format, OutputStream out) {
    }

    private final ProxyMetrics metrics;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private volatile Sink sink;

    public AccessLogWriter(ProxyMetrics metrics) {
        this.metrics = metrics;
        Thread writer = new Thread(this::drain, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Switches to a snapshot's access log; throws IllegalArgumentException when its file cannot be opened. */
    public synchronized void configure(AccessLog spec) {
        Sink current = sink;
        if (current != null && Objects.equals(current.spec(), spec)) {
            return;
        }
        if (spec == null || spec.path() == null) {
            sink = null;
            return;
        }
        OutputStream out;
        try {
            out = "/dev/stdout".equals(spec.path()) ? System.out : new FileOutputStream(spec.path(), true);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the access log " + spec.path() + ": " + e.getMessage());
        }
        sink = new Sink(spec, AccessLogFormat.of(spec), out);
    }

    @Override
    public void completed(ExchangeRecord record) {
        Sink current = sink;
        if (current == null) {
            return;
        }
        if (!queue.offer(current.format().format(record).getBytes(StandardCharsets.UTF_8))) {
            metrics.accessLogDropped();
        }
    }

    private void drain() {
        while (true) {
            try {
                byte[] line = queue.poll(1, TimeUnit.SECONDS);
                Sink current = sink;
                if (line == null || current == null) {
                    continue;
                }
                current.out().write(line);
                byte[] more;
                while ((more = queue.poll()) != null) {
                    current.out().write(more);
                }
                current.out().flush();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                metrics.accessLogDropped();
            }
        }
    }
}
