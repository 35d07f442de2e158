package io.meshwork.proxy.observability;

import io.meshwork.proxy.change.PreparedChange;
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
        void close() {
            if (out == System.out) {
                return; // /dev/stdout is the process's own, shared with its log
            }
            try {
                out.close();
            } catch (IOException e) {
                // its last lines are lost either way; nothing holds the file any more
            }
        }
    }

    private final ProxyMetrics metrics;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    /** Held while a batch is written and while a replaced stream is closed, so no write meets a closed stream. */
    private final Object writing = new Object();
    private volatile Sink sink;

    public AccessLogWriter(ProxyMetrics metrics) {
        this.metrics = metrics;
        Thread writer = new Thread(this::drain, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens a snapshot's access log without switching to it; throws IllegalArgumentException when
     * its file cannot be opened. Committing switches to it and closes the previous file;
     * aborting closes the one just opened.
     */
    public synchronized PreparedChange prepare(AccessLog spec) {
        Sink current = sink;
        boolean wanted = spec != null && spec.path() != null;
        if (current == null ? !wanted : Objects.equals(current.spec(), spec)) {
            return PreparedChange.NONE;
        }
        Sink next = wanted ? open(spec) : null;
        return new PreparedChange() {
            @Override
            public void commit() {
                sink = next;
            }

            @Override
            public void releasePrevious() {
                close(current);
            }

            @Override
            public void abort() {
                close(next);
            }
        };
    }

    private static Sink open(AccessLog spec) {
        AccessLogFormat format = AccessLogFormat.of(spec);
        try {
            OutputStream out = "/dev/stdout".equals(spec.path()) ? System.out : new FileOutputStream(spec.path(), true);
            return new Sink(spec, format, out);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the access log " + spec.path() + ": " + e.getMessage());
        }
    }

    private void close(Sink replaced) {
        if (replaced != null) {
            synchronized (writing) {
                replaced.close();
            }
        }
    }

    /** Every request while an access log is configured; none otherwise. */
    @Override
    public boolean wants(ResponseFlag flags) {
        return sink != null;
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
                if (line != null) {
                    write(line);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void write(byte[] first) {
        synchronized (writing) {
            Sink current = sink;
            if (current == null) {
                return;
            }
            try {
                current.out().write(first);
                byte[] more;
                while ((more = queue.poll()) != null) {
                    current.out().write(more);
                }
                current.out().flush();
            } catch (IOException e) {
                metrics.accessLogDropped();
            }
        }
    }
}
