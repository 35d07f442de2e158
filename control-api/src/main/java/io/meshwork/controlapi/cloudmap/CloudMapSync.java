package io.meshwork.controlapi.cloudmap;

import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.discovery.CloudMapDiscovery;
import io.meshwork.cloudmap.discovery.CloudMapQuery;
import io.meshwork.cloudmap.discovery.DiscoveredEndpoint;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.distribution.SnapshotCache;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.CloudMapStore;
import io.meshwork.controlapi.store.CloudMapStore.EndpointRow;
import io.meshwork.controlapi.store.CloudMapStore.NodeRef;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.Leases;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Keeps Cloud Map-discovered nodes' endpoints in the store (CONTROL_API_CLOUDMAP_ENABLED=true).
 *
 * <p>Every poll interval the replica holding the {@code cloudmap-sync} lease reads Cloud Map
 * (revision-gated, see {@link CloudMapDiscovery}), writes the instances that changed, logs the
 * change so every replica recompiles the mesh, and brings proxy registrations up to date. The
 * other replicas only renew their claim on the lease, so replicas do not multiply the calls.
 */
@Singleton
@Requires(property = "control-api.cloudmap.enabled", value = "true")
public final class CloudMapSync {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapSync.class);
    static final String LEASE = "cloudmap-sync";

    private final CloudMapSettings settings;
    private final Database database;
    private final CloudMapStore store;
    private final Leases leases;
    private final ChangeLog changeLog;
    private final CloudMapTargets targets;
    private final CloudMapRegistrations registrations;
    private final SnapshotCache snapshots;
    private final Clock clock;
    private final String holder = UUID.randomUUID().toString();
    private final ServiceDiscoveryClient client;
    private final CloudMapDiscovery discovery;
    private final CloudMapRegistrar registrar;
    /** What this replica last wrote (or found) per node while holding the lease; cleared when it loses it. */
    private final Map<NodeRef, List<EndpointRow>> written = new HashMap<>();
    private volatile boolean leader;
    private volatile long lastPollMillis;
    private volatile Set<String> failing = Set.of();

    CloudMapSync(CloudMapSettings settings, ControlApiSettings api, Database database, CloudMapStore store, Leases leases,
                 ChangeLog changeLog, CloudMapTargets targets, CloudMapRegistrations registrations, SnapshotCache snapshots,
                 Clock clock) {
        this.settings = settings;
        this.database = database;
        this.store = store;
        this.leases = leases;
        this.changeLog = changeLog;
        this.targets = targets;
        this.registrations = registrations;
        this.snapshots = snapshots;
        this.clock = clock;
        URI endpoint = settings.endpoint() == null || settings.endpoint().isBlank() ? null : URI.create(settings.endpoint());
        this.client = CloudMapClients.create(api.region(), endpoint, null);
        this.discovery = new CloudMapDiscovery(client, settings.healthRefresh(), System::nanoTime);
        this.registrar = new CloudMapRegistrar(client);
        LOG.info("Cloud Map sync enabled: region {}, endpoint {}, poll every {} ms", api.region(),
                endpoint == null ? "AWS" : endpoint, settings.pollInterval().toMillis());
    }

    @Scheduled(fixedDelay = "${control-api.cloudmap.poll-interval:1s}", initialDelay = "500ms")
    void poll() {
        try {
            long now = clock.millis();
            boolean lead = database.inTransaction(c -> leases.acquire(c, LEASE, holder, now, now + settings.leaseDuration().toMillis()));
            if (lead != leader) {
                LOG.info(lead ? "this replica now polls Cloud Map" : "another replica polls Cloud Map now");
                written.clear();
            }
            leader = lead;
            if (!lead) {
                return;
            }
            Map<NodeRef, CloudMapQuery> nodes = database.inTransaction(targets::read);
            CloudMapDiscovery.Poll poll = discovery.poll(new LinkedHashSet<>(nodes.values()));
            Set<String> failed = new java.util.TreeSet<>();
            poll.failed().forEach(s -> failed.add(s.toString()));
            failing = Set.copyOf(failed);
            write(nodes, discovery.known());
            registrations.sync(nodes, registrar);
            lastPollMillis = clock.millis();
        } catch (RuntimeException e) {
            LOG.warn("Cloud Map sync failed this round: {}", e.toString());
        }
    }

    /** Writes every node whose instances differ from what is stored; drops nodes no longer discovered through Cloud Map. */
    private void write(Map<NodeRef, CloudMapQuery> nodes, Map<CloudMapQuery, List<DiscoveredEndpoint>> known) {
        Set<String> meshes = database.inTransaction(c -> {
            Set<String> changed = new LinkedHashSet<>();
            for (NodeRef n : store.nodesWithEndpoints(c)) {
                if (!nodes.containsKey(n)) {
                    store.delete(c, n);
                    written.remove(n);
                    changed.add(n.mesh());
                }
            }
            for (Map.Entry<NodeRef, CloudMapQuery> e : nodes.entrySet()) {
                List<DiscoveredEndpoint> found = known.get(e.getValue());
                if (found == null) {
                    continue; // never read (Cloud Map unreachable so far): leave what is stored
                }
                List<EndpointRow> rows = new ArrayList<>(found.size());
                for (DiscoveredEndpoint d : found) {
                    rows.add(new EndpointRow(d.instanceId(), d.address(), d.port()));
                }
                if (rows.equals(written.get(e.getKey()))) {
                    continue;
                }
                if (store.replace(c, e.getKey(), rows)) {
                    changed.add(e.getKey().mesh());
                    LOG.info("Cloud Map: {}/{} has {} instance(s)", e.getKey().mesh(), e.getKey().node(), rows.size());
                }
                written.put(e.getKey(), rows);
            }
            long now = clock.millis();
            for (String mesh : changed) {
                changeLog.append(c, mesh, now);
            }
            return changed;
        });
        meshes.forEach(snapshots::meshChanged);
    }

    /** For operators: who polls, when it last did, what could not be read, how many calls it made. */
    public Map<String, Object> status() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("enabled", true);
        out.put("leader", leader);
        out.put("lastPollAt", lastPollMillis / 1000.0);
        out.put("pollIntervalMillis", settings.pollInterval().toMillis());
        out.put("cloudMapCalls", discovery.calls() + registrations.calls());
        out.put("discoveryCalls", discovery.calls());
        out.put("failingServices", List.copyOf(failing));
        return out;
    }

    @PreDestroy
    void close() {
        try {
            if (leader) {
                database.inTransaction(c -> {
                    leases.release(c, LEASE, holder);
                    return null;
                });
            }
        } catch (RuntimeException e) {
            LOG.debug("could not release the Cloud Map lease: {}", e.toString());
        }
        client.close();
    }
}
