package io.meshwork.controlapi.distribution;

import io.meshwork.controlapi.resource.ResourceChangeListener;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.Database;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gets every change to the proxies that need it: a write through this replica recompiles its
 * mesh at once; writes through other replicas sharing the store are found by polling the
 * change log every 200 ms.
 */
@Singleton
final class ChangePropagation implements ResourceChangeListener {
    private static final Logger LOG = LoggerFactory.getLogger(ChangePropagation.class);
    private static final long KEEP_LOG_MILLIS = 10 * 60 * 1000;

    private final SnapshotCache cache;
    private final Database database;
    private final ChangeLog changeLog;
    private final Clock clock;
    private final AtomicLong seen = new AtomicLong(-1);

    ChangePropagation(SnapshotCache cache, Database database, ChangeLog changeLog, Clock clock) {
        this.cache = cache;
        this.database = database;
        this.changeLog = changeLog;
        this.clock = clock;
    }

    @Override
    public void changed(ResourceKey key) {
        cache.meshChanged(key.mesh());
    }

    @Scheduled(fixedDelay = "200ms")
    void poll() {
        try {
            if (seen.get() < 0) {
                seen.set(database.inTransaction(changeLog::latest));
                return;
            }
            Map<String, Long> changed = database.inTransaction(tx -> changeLog.changedSince(tx, seen.get()));
            changed.forEach((mesh, seq) -> {
                cache.meshChanged(mesh);
                seen.accumulateAndGet(seq, Math::max);
            });
        } catch (RuntimeException e) {
            LOG.warn("polling the change log failed: {}", e.toString());
        }
    }

    @Scheduled(fixedDelay = "5m", initialDelay = "1m")
    void prune() {
        database.inTransaction(tx -> changeLog.prune(tx, clock.millis() - KEEP_LOG_MILLIS));
    }
}
