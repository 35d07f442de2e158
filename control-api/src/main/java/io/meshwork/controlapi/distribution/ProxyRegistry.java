package io.meshwork.controlapi.distribution;

import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ProxyStore;
import io.meshwork.controlapi.store.StoreUnavailableException;
import io.meshwork.controlapi.store.Transaction;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Connected proxies. Each reports itself on start, after applying or refusing a snapshot, and
 * every few seconds; a proxy of a virtual node that gives an address is an endpoint of that
 * node until it deregisters or stops reporting for the registration TTL (15 s by default). Joining and leaving change
 * the mesh (its callers' snapshots get the new endpoint set); heartbeats do not.
 */
@Singleton
public final class ProxyRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRegistry.class);
    /** Two traffic reports closer than this (a heartbeat, then an acknowledgement) count as one. */
    private static final long MIN_TRAFFIC_WINDOW_MILLIS = 1000;

    /**
     * What a proxy says about itself.
     *
     * @param cloudMap    what the proxy asks of Cloud Map registration; null: nothing (a request made
     *                    before is withdrawn)
     * @param trafficJson its traffic report (checked), as JSON; null: none sent, the last one stays
     */
    public record Report(String proxyId, ResourceKey resource, String address, String runningVersion,
                         String rejectedVersion, String rejectedReason, CloudMapRequest cloudMap, String ecsTaskArn,
                         String trafficJson) {
    }

    /** A proxy's wish to be a Cloud Map instance of its node: its extra attributes and its app's health. */
    public record CloudMapRequest(java.util.Map<String, String> attributes, boolean healthy) {
    }

    private final Database database;
    private final ProxyStore proxies;
    private final ChangeLog changeLog;
    private final SnapshotCache cache;
    private final Clock clock;
    private final long startedAt;
    private final Duration ttl;
    private final io.meshwork.controlapi.store.CaStore caStore;
    private final io.meshwork.controlapi.store.CloudMapStore cloudMapStore;
    private final io.meshwork.controlapi.store.EcsTaskStore ecsTasks;
    private final io.meshwork.controlapi.store.TrafficStore traffic;
    private int expiryRuns;

    ProxyRegistry(Database database, ProxyStore proxies, ChangeLog changeLog, SnapshotCache cache, Clock clock,
                  io.meshwork.controlapi.config.ControlApiSettings settings, io.meshwork.controlapi.store.CaStore caStore,
                  io.meshwork.controlapi.store.CloudMapStore cloudMapStore, io.meshwork.controlapi.store.EcsTaskStore ecsTasks,
                  io.meshwork.controlapi.store.TrafficStore traffic) {
        this.ecsTasks = ecsTasks;
        this.traffic = traffic;
        this.caStore = caStore;
        this.cloudMapStore = cloudMapStore;
        this.ttl = settings.proxyRegistrationTtl();
        this.database = database;
        this.proxies = proxies;
        this.changeLog = changeLog;
        this.cache = cache;
        this.clock = clock;
        this.startedAt = clock.millis();
    }

    public void report(Report report) {
        try {
            reportOnce(report);
        } catch (StoreUnavailableException e) {
            // Two first reports of one proxy at once (a heartbeat and an acknowledgement) both insert; the
            // loser finds the row on a second try. A real outage fails again and surfaces.
            reportOnce(report);
        }
    }

    private void reportOnce(Report report) {
        long now = clock.millis();
        boolean endpointsChanged = database.inTransaction(tx -> {
            Optional<ProxyStore.Row> existing = proxies.find(tx, report.proxyId());
            String address = report.address();
            if (report.ecsTaskArn() != null) {
                ecsTasks.put(tx, report.proxyId(), report.ecsTaskArn());
                // Its task is stopping (the ECS task hook said so): a last heartbeat does not make it an endpoint again.
                if (address != null && ecsTasks.isStopped(tx, report.ecsTaskArn())) {
                    address = null;
                }
            }
            ProxyStore.Row row = new ProxyStore.Row(report.proxyId(), report.resource().mesh(),
                    report.resource().kind().arnSegment(), report.resource().name(), address,
                    report.runningVersion(), report.rejectedVersion(), report.rejectedReason(),
                    existing.map(ProxyStore.Row::connectedAt).orElse(now), now, now + ttl.toMillis());
            boolean changed;
            if (existing.isEmpty()) {
                proxies.insert(tx, row);
                cloudMap(tx, report);
                traffic(tx, report, now);
                changed = row.address() != null;
                if (changed) {
                    changeLog.append(tx, row.mesh(), now);
                }
                if (existing.isEmpty()) {
                    LOG.info("proxy {} of {} connected{}", report.proxyId(), row.mesh() + "/" + row.resourceKind() + "/"
                            + row.resourceName(), row.address() == null ? "" : " at " + row.address());
                }
            } else {
                ProxyStore.Row before = existing.get();
                proxies.update(tx, row);
                cloudMap(tx, report);
                traffic(tx, report, now);
                changed = !java.util.Objects.equals(before.address(), row.address())
                        || !before.mesh().equals(row.mesh()) || !before.resourceName().equals(row.resourceName());
                if (changed) {
                    changeLog.append(tx, row.mesh(), now);
                    if (!before.mesh().equals(row.mesh())) {
                        changeLog.append(tx, before.mesh(), now);
                    }
                }
            }
            return changed;
        });
        if (endpointsChanged) {
            cache.meshChanged(report.resource().mesh());
        }
    }

    /** In the report's own transaction: Cloud Map registration is asked for, or withdrawn, with every report. */
    private void cloudMap(Transaction tx, Report report) {
        if (report.cloudMap() == null) {
            cloudMapStore.withdraw(tx, report.proxyId()); // matches nothing unless this proxy asked before
            return;
        }
        String json = io.meshwork.controlapi.model.StrictJson.write(io.meshwork.controlapi.model.StrictJson.mapper()
                .valueToTree(new java.util.TreeMap<>(report.cloudMap().attributes())));
        cloudMapStore.requestRegistration(tx, report.proxyId(), json, report.cloudMap().healthy());
    }

    /** In the report's own transaction, after the proxy's row: its latest traffic report, the one before kept. */
    private void traffic(Transaction tx, Report report, long now) {
        if (report.trafficJson() != null) {
            traffic.put(tx, report.proxyId(), report.trafficJson(), now, MIN_TRAFFIC_WINDOW_MILLIS);
        }
    }

    /** Removes a proxy at once (it is shutting down). */
    public boolean deregister(String proxyId) {
        Optional<ProxyStore.Row> removed = database.inTransaction(tx -> {
            Optional<ProxyStore.Row> row = proxies.find(tx, proxyId);
            row.ifPresent(r -> drop(tx, r, clock.millis()));
            return row;
        });
        removed.ifPresent(r -> {
            LOG.info("proxy {} of {}/{}/{} deregistered", proxyId, r.mesh(), r.resourceKind(), r.resourceName());
            cache.meshChanged(r.mesh());
        });
        return removed.isPresent();
    }

    /** The proxies registered from one ECS task. */
    public List<ProxyStore.Row> ofEcsTask(String taskArn) {
        return database.inTransaction(tx -> ecsTasks.proxiesOf(tx, taskArn).stream()
                .flatMap(id -> proxies.find(tx, id).stream()).toList());
    }

    /**
     * An ECS task is stopping (the ECS task hook): its proxies stop being endpoints at once, and
     * stay so if one reports again before it exits. Returns the proxies removed.
     */
    public List<String> ecsTaskStopped(String taskArn) {
        long now = clock.millis();
        List<ProxyStore.Row> removed = database.inTransaction(tx -> {
            ecsTasks.markStopped(tx, taskArn, now);
            List<ProxyStore.Row> rows = new java.util.ArrayList<>();
            for (String id : ecsTasks.proxiesOf(tx, taskArn)) {
                proxies.find(tx, id).ifPresent(row -> {
                    drop(tx, row, now);
                    rows.add(row);
                });
            }
            return rows;
        });
        removed.forEach(r -> LOG.info("proxy {} of {}/{}/{} deregistered: its ECS task {} is stopping", r.proxyId(), r.mesh(),
                r.resourceKind(), r.resourceName(), taskArn));
        removed.stream().map(ProxyStore.Row::mesh).distinct().forEach(cache::meshChanged);
        return removed.stream().map(ProxyStore.Row::proxyId).toList();
    }

    /** Removes a proxy in {@code tx}; its mesh changes when it was an endpoint. */
    private void drop(Transaction tx, ProxyStore.Row row, long now) {
        proxies.delete(tx, row.proxyId());
        ecsTasks.forget(tx, row.proxyId());
        if (row.address() != null) {
            changeLog.append(tx, row.mesh(), now);
        }
    }

    /** How long a registration lasts without a report. */
    public Duration ttl() {
        return ttl;
    }

    public Optional<ProxyStore.Row> find(String proxyId) {
        return database.inTransaction(tx -> proxies.find(tx, proxyId));
    }

    /** The certificate most recently issued to a proxy, if any. */
    public Optional<io.meshwork.controlapi.store.CaStore.IssuedRow> certificate(String proxyId) {
        return database.inTransaction(tx -> caStore.latestFor(tx, proxyId));
    }

    /** The certificate most recently issued to each connected proxy (of one mesh, or all), by proxy id. */
    public java.util.Map<String, io.meshwork.controlapi.store.CaStore.IssuedRow> certificates(String meshOrNull) {
        return database.inTransaction(tx -> caStore.latestForConnected(tx, meshOrNull));
    }

    public List<ProxyStore.Row> list(String meshOrNull) {
        return database.inTransaction(tx -> proxies.all(tx, meshOrNull));
    }

    /**
     * Drops proxies that stopped reporting; their nodes lose them as endpoints. Not in the first
     * registration TTL after start: proxies could not report while the control plane was down, and
     * dropping them all at once would empty endpoint sets that are in fact serving.
     */
    @Scheduled(fixedDelay = "1s")
    void expire() {
        if (clock.millis() - startedAt < ttl.toMillis()) {
            return;
        }
        try {
            Set<String> meshes = database.inTransaction(tx -> {
                Set<String> changed = new HashSet<>();
                long now = clock.millis();
                for (ProxyStore.Row row : proxies.expired(tx, now)) {
                    if (proxies.delete(tx, row.proxyId())) {
                        ecsTasks.forget(tx, row.proxyId());
                        LOG.info("proxy {} of {}/{}/{} expired (no report for {} s)", row.proxyId(), row.mesh(),
                                row.resourceKind(), row.resourceName(), ttl.toSeconds());
                        if (row.address() != null && changed.add(row.mesh())) {
                            changeLog.append(tx, row.mesh(), now);
                        }
                    }
                }
                // Stopped tasks are remembered an hour, far longer than any task takes to stop.
                if (++expiryRuns % 60 == 0) {
                    ecsTasks.forgetStoppedBefore(tx, now - Duration.ofHours(1).toMillis());
                }
                return changed;
            });
            meshes.forEach(cache::meshChanged);
        } catch (RuntimeException e) {
            LOG.warn("expiring proxies failed: {}", e.toString());
        }
    }
}
