package io.meshwork.proxy.config;

import io.meshwork.proxy.control.ControlPlaneClient;
import io.meshwork.proxyapi.ProxySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the proxy's configuration current: long-polls the control plane, applies each new
 * snapshot (or refuses it), saves the one in force, and reports to the control plane every few
 * seconds. When the control plane cannot be reached the proxy keeps serving what it has and
 * retries with jittered backoff.
 */
public final class ConfigWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final int WAIT_SECONDS = 30;
    private static final long MAX_HEARTBEAT_MILLIS = 5_000;

    private final ControlPlaneClient client;
    private final SnapshotApplier applier;
    private final SnapshotFile file;
    private final Backoff backoff = new Backoff(500, 30_000);
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-plane-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile String running;
    private volatile String rejectedVersion;
    private volatile String rejectedReason;
    private volatile boolean stopped;
    private volatile boolean reachable = true;
    private volatile long heartbeatMillis = MAX_HEARTBEAT_MILLIS;
    private volatile long lastReport;
    private Thread thread;

    public ConfigWatcher(ControlPlaneClient client, SnapshotApplier applier, SnapshotFile file) {
        this.client = client;
        this.applier = applier;
        this.file = file;
    }

    /** Serves the saved snapshot, if any, before the control plane has been heard from. */
    public void restoreSaved() {
        file.load().ifPresent(saved -> {
            try {
                running = applier.apply(io.meshwork.proxyapi.SnapshotJson.write(saved)).version();
                LOG.info("serving the saved configuration {} from {} until the control plane answers", running, file.path());
            } catch (SnapshotApplier.Rejected e) {
                LOG.warn("the saved configuration cannot be applied: {}", e.getMessage());
            }
        });
    }

    public void start() {
        thread = new Thread(this::loop, "control-plane-watch");
        thread.setDaemon(true);
        thread.start();
        // Report a third of the registration's lifetime apart (at most every 5 s), so one lost
        // report never lets a live proxy drop out of its node's endpoints.
        heartbeats.scheduleWithFixedDelay(() -> {
            if (System.currentTimeMillis() - lastReport >= heartbeatMillis) {
                heartbeat();
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        stopped = true;
        heartbeats.shutdownNow();
        if (thread != null) {
            thread.interrupt();
        }
    }

    public String runningVersion() {
        return running;
    }

    public String rejectedVersion() {
        return rejectedVersion;
    }

    public String rejectedReason() {
        return rejectedReason;
    }

    public boolean controlPlaneReachable() {
        return reachable;
    }

    private void loop() {
        while (!stopped) {
            try {
                var fetched = client.fetch(running, WAIT_SECONDS);
                connected();
                if (fetched.isPresent()) {
                    take(fetched.get().json());
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (reachable) {
                    LOG.warn("control plane unreachable ({}); serving configuration {} and retrying", e.getMessage(), running);
                }
                reachable = false;
                try {
                    Thread.sleep(backoff.nextDelayMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void take(byte[] json) {
        try {
            ProxySnapshot snapshot = applier.apply(json);
            running = snapshot.version();
            rejectedVersion = null;
            rejectedReason = null;
            file.save(json);
        } catch (SnapshotApplier.Rejected e) {
            rejectedVersion = e.version();
            rejectedReason = e.getMessage();
            // Wait for a different version rather than re-fetching the one just refused.
            if (e.version() != null) {
                running = running == null ? e.version() : running;
            }
        }
        heartbeat();
    }

    private void connected() {
        if (!reachable) {
            LOG.info("control plane reachable again");
        }
        reachable = true;
        backoff.reset();
    }

    private void heartbeat() {
        lastReport = System.currentTimeMillis();
        try {
            long ttl = client.report(running, rejectedVersion, rejectedReason);
            heartbeatMillis = Math.max(250, Math.min(MAX_HEARTBEAT_MILLIS, ttl / 3));
        } catch (IOException | RuntimeException e) {
            LOG.debug("report failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
