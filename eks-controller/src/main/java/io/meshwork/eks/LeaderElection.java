package io.meshwork.eks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One replica reconciles at a time, as controller-runtime's leader election: a Lease
 * {@code meshwork-controller-leader} in the controller's namespace. A replica that loses the
 * lease stops reconciling and stands for election again; a stopping leader releases the lease so
 * another takes over at once instead of after the lease's 15 s.
 */
final class LeaderElection implements AutoCloseable {
    static final String LEASE = "meshwork-controller-leader";
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String identity;
    private final Runnable started;
    private final Runnable stopped;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CompletableFuture<?> running;

    LeaderElection(KubernetesClient client, String namespace, String identity, Runnable started, Runnable stopped) {
        this.client = client;
        this.namespace = namespace;
        this.identity = identity;
        this.started = started;
        this.stopped = stopped;
    }

    void start() {
        if (closed.get()) {
            return;
        }
        running = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("meshwork-controller")
                .withLock(new LeaseLock(namespace, LEASE, identity))
                .withLeaseDuration(Duration.ofSeconds(15))
                .withRenewDeadline(Duration.ofSeconds(10))
                .withRetryPeriod(Duration.ofSeconds(2))
                .withReleaseOnCancel()
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    LOG.info("{} leads: reconciling", identity);
                    leading.set(true);
                    started.run();
                }, () -> {
                    leading.set(false);
                    stopped.run();
                    if (!closed.get()) {
                        LOG.warn("{} lost the lease {}/{}: not reconciling until elected again", identity, namespace, LEASE);
                    }
                }, leader -> LOG.info("leader is {}", leader)))
                .build()).build().start();
        // The elector's run ends when leadership is lost: stand again.
        running.whenComplete((ok, error) -> start());
    }

    boolean leading() {
        return leading.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && running != null) {
            running.cancel(true);
        }
    }
}
