package io.meshwork.eks.reconcile;

import io.meshwork.eks.resources.ObjectKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Objects waiting to be reconciled, one at a time, as controller-runtime's work queue: an object
 * queued twice is reconciled once, and one that must wait (for its mesh, or for members to go) is
 * tried again after a back-off growing from {@code minRetry} to {@code maxRetry}.
 */
public final class WorkQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);

    private final Function<ObjectKey, Reconciler.Outcome> reconcile;
    private final Duration minRetry;
    private final Duration maxRetry;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshwork-reconcile");
        t.setDaemon(true);
        return t;
    });
    private final Set<ObjectKey> queued = ConcurrentHashMap.newKeySet();
    private final Map<ObjectKey, Integer> failures = new ConcurrentHashMap<>();

    public WorkQueue(Function<ObjectKey, Reconciler.Outcome> reconcile, Duration minRetry, Duration maxRetry) {
        this.reconcile = reconcile;
        this.minRetry = minRetry;
        this.maxRetry = maxRetry;
    }

    public void add(ObjectKey key) {
        if (queued.add(key) && !worker.isShutdown()) {
            worker.execute(() -> run(key));
        }
    }

    private void run(ObjectKey key) {
        queued.remove(key);
        Reconciler.Outcome outcome;
        try {
            outcome = reconcile.apply(key);
        } catch (RuntimeException e) {
            if (worker.isShutdown()) {
                return; // stopping: the clients are closing under the last reconcile
            }
            LOG.warn("{}: {}", key, e.toString(), e);
            outcome = Reconciler.Outcome.RETRY;
        }
        if (outcome == Reconciler.Outcome.RETRY) {
            int failed = failures.merge(key, 1, Integer::sum);
            long delay = Math.min(maxRetry.toMillis(), minRetry.toMillis() << Math.min(failed - 1, 16));
            if (!worker.isShutdown()) {
                worker.schedule(() -> add(key), delay, TimeUnit.MILLISECONDS);
            }
        } else {
            failures.remove(key);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
