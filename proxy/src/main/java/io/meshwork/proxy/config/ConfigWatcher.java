package io.meshwork.proxy.config;

import io.meshwork.proxy.control.ControlPlaneClient;
import io.meshwork.proxyapi.ProxySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the proxy's configuration current: long-polls the control plane, applies each new
 * snapshot (or refuses it), saves the one in force, and reports to the control plane every few
 * seconds. When the control plane cannot be reached the proxy keeps serving what it has and
 * retries with jittered backoff.
 *
 * <p>A refused snapshot is reported and logged once. The next poll names the refused version, so
 * the control plane answers only with a newer one instead of sending the refused one again; the
 * refused one is meanwhile tried again from memory with backoff ({@link RefusedSnapshot}), in
 * case what refused it goes away.
 */
public final class ConfigWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final int WAIT_SECONDS = 30;
    private static final long MAX_HEARTBEAT_MILLIS = 5_000;

    /** What the proxy tells the control plane, read whole so a report never mixes two moments. */
    private record Status(String running, String rejectedVersion, String rejectedReason) {
    }

    private final ControlPlaneClient client;
    private final SnapshotApplier applier;
    private final SnapshotFile file;
    /** Paces the tries of a refused snapshot; monotonic, so a wall-clock step neither hurries nor stalls them. */
    private final LongSupplier clockMillis = () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    private final Backoff backoff = new Backoff(500, 30_000);
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-plane-heartbeat");
        t.setDaemon(true);
        return t;
    });
    /** The version in force (null until one is), never one that was refused. */
    private volatile Status status = new Status(null, null, null);
    private volatile RefusedSnapshot refused;
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
                String version = applier.apply(saved.snapshot(), saved.json()).version();
                status = new Status(version, null, null);
                LOG.info("serving the saved configuration {} from {} until the control plane answers", version, file.path());
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
        return status.running();
    }

    public String rejectedVersion() {
        return status.rejectedVersion();
    }

    public String rejectedReason() {
        return status.rejectedReason();
    }

    public boolean controlPlaneReachable() {
        return reachable;
    }

    private void loop() {
        while (!stopped) {
            try {
                step();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (reachable) {
                    // Unreachable, or refusing (a 403 while the key or role lacks its policy): the message says which.
                    LOG.warn("cannot get configuration from the control plane ({}); serving configuration {} and retrying", e.getMessage(),
                            status.running());
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

    /** One turn: try the refused snapshot again if its time has come, else wait for a newer one. */
    private void step() throws IOException, InterruptedException {
        RefusedSnapshot held = refused;
        if (held != null && held.due()) {
            retry(held);
            return;
        }
        // The version last seen, applied or refused: the control plane answers only when it has
        // another one. While a refused one is held, the poll ends when its next try is due.
        String lastSeen = held != null ? held.version() : status.running();
        int waitSeconds = held != null ? (int) Math.min(WAIT_SECONDS, Math.max(1, (held.millisUntilDue() + 999) / 1000)) : WAIT_SECONDS;
        var fetched = client.fetch(lastSeen, waitSeconds);
        connected();
        if (fetched.isPresent()) {
            take(fetched.get());
        }
    }

    private void take(ControlPlaneClient.Fetched fetched) {
        RefusedSnapshot held = refused;
        if (fetched.version().equals(status.running())) {
            // The control plane went back to the configuration in force: nothing to apply, nothing refused.
            if (held != null) {
                LOG.info("configuration {} is current again; the refused {} is no longer wanted", fetched.version(), held.version());
            }
            refused = null;
            status = new Status(status.running(), null, null);
        } else {
            try {
                applied(applier.apply(fetched.json()), fetched.json());
            } catch (SnapshotApplier.Rejected e) {
                String version = fetched.version().isEmpty() ? e.version() : fetched.version();
                refused = new RefusedSnapshot(version, fetched.json(), e.getMessage(), clockMillis);
                status = new Status(status.running(), version, e.getMessage());
                LOG.warn("configuration {} refused: {}; {}; trying it again in {} s unless a newer one comes", version,
                        e.getMessage(), inForce(), RefusedSnapshot.FIRST_RETRY_MILLIS / 1000);
            }
        }
        heartbeat();
    }

    private void retry(RefusedSnapshot held) {
        try {
            applied(applier.apply(held.json()), held.json());
            heartbeat();
        } catch (SnapshotApplier.Rejected e) {
            boolean newReason = held.refusedAgain(e.getMessage());
            LOG.debug("configuration {} still refused: {}; next try in {} ms", held.version(), e.getMessage(), held.millisUntilDue());
            if (newReason) {
                status = new Status(status.running(), held.version(), e.getMessage());
                heartbeat();
            }
        }
    }

    private void applied(ProxySnapshot snapshot, byte[] json) {
        refused = null;
        status = new Status(snapshot.version(), null, null);
        file.save(json);
    }

    private String inForce() {
        String running = status.running();
        return running == null ? "no configuration is in force yet" : "configuration " + running + " stays in force";
    }

    private void connected() {
        if (!reachable) {
            LOG.info("control plane answering again");
        }
        reachable = true;
        backoff.reset();
    }

    private void heartbeat() {
        lastReport = System.currentTimeMillis();
        Status now = status;
        try {
            long ttl = client.report(now.running(), now.rejectedVersion(), now.rejectedReason());
            heartbeatMillis = Math.max(250, Math.min(MAX_HEARTBEAT_MILLIS, ttl / 3));
        } catch (IOException | RuntimeException e) {
            LOG.debug("report failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
