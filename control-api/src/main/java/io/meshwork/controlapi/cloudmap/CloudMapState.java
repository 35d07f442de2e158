package io.meshwork.controlapi.cloudmap;

import com.fasterxml.jackson.core.type.TypeReference;
import io.meshwork.cloudmap.discovery.DiscoveredEndpoint;
import io.meshwork.cloudmap.sync.NodeInstances;
import io.meshwork.cloudmap.sync.NodeRef;
import io.meshwork.cloudmap.sync.NodeTarget;
import io.meshwork.cloudmap.sync.RegistrationUpdate;
import io.meshwork.cloudmap.sync.RegistrationView;
import io.meshwork.cloudmap.sync.SyncResult;
import io.meshwork.cloudmap.sync.SyncWork;
import io.meshwork.controlapi.distribution.SnapshotCache;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.store.ChangeLog;
import io.meshwork.controlapi.store.CloudMapStore;
import io.meshwork.controlapi.store.CloudMapStore.EndpointRow;
import io.meshwork.controlapi.store.CloudMapStore.Registration;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.Leases;
import io.meshwork.controlapi.store.ProxyStore;
import io.meshwork.controlapi.store.Transaction;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control plane's side of Cloud Map sync, for the syncer inside control-api and for the
 * standalone one alike: the lease, the work (nodes and registrations), and storing results.
 * Whatever a syncer sends is stored only while it holds the lease, so two syncers never
 * overwrite each other.
 */
@Singleton
public final class CloudMapState {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapState.class);
    static final String LEASE = "cloudmap-sync";
    private static final TypeReference<Map<String, String>> ATTRIBUTES = new TypeReference<>() {
    };

    /** The syncer no longer holds the lease: what it sent was not stored. */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("another syncer holds the Cloud Map sync lease");
        }
    }

    private final Database database;
    private final CloudMapStore store;
    private final Leases leases;
    private final ChangeLog changeLog;
    private final CloudMapTargets targets;
    private final ProxyStore proxies;
    private final SnapshotCache snapshots;
    private final Clock clock;

    CloudMapState(Database database, CloudMapStore store, Leases leases, ChangeLog changeLog, CloudMapTargets targets,
                  ProxyStore proxies, SnapshotCache snapshots, Clock clock) {
        this.database = database;
        this.store = store;
        this.leases = leases;
        this.changeLog = changeLog;
        this.targets = targets;
        this.proxies = proxies;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    public SyncWork work(String holder, Duration lease) {
        long now = clock.millis();
        if (!database.inTransaction(tx -> leases.acquire(tx, LEASE, holder, now, now + lease.toMillis()))) {
            return SyncWork.notLeader();
        }
        Set<String> dropped = new LinkedHashSet<>();
        SyncWork work = database.inTransaction(tx -> {
            Map<NodeRef, NodeTarget> nodes = targets.read(tx);
            // Instances stored for nodes that are no longer discovered through Cloud Map go.
            for (NodeRef stored : store.nodesWithEndpoints(tx)) {
                if (!nodes.containsKey(stored)) {
                    store.delete(tx, stored);
                    dropped.add(stored.mesh());
                }
            }
            for (String mesh : dropped) {
                changeLog.append(tx, mesh, now);
            }
            return new SyncWork(true, new ArrayList<>(nodes.values()), registrations(tx));
        });
        dropped.forEach(snapshots::meshChanged);
        return work;
    }

    public void apply(String holder, SyncResult result) {
        Set<String> changed = database.inTransaction(tx -> {
            long now = clock.millis();
            if (!leases.holds(tx, LEASE, holder, now)) {
                throw new LeaseLost();
            }
            Set<String> meshes = new LinkedHashSet<>();
            for (NodeInstances n : result.endpoints()) {
                List<EndpointRow> rows = new ArrayList<>(n.instances().size());
                for (DiscoveredEndpoint d : n.instances()) {
                    rows.add(new EndpointRow(d.instanceId(), d.address(), d.port()));
                }
                if (store.replace(tx, n.ref(), rows)) {
                    meshes.add(n.mesh());
                    LOG.info("Cloud Map: {}/{} has {} instance(s)", n.mesh(), n.node(), rows.size());
                }
            }
            for (RegistrationUpdate u : result.registrations()) {
                if (u.forget()) {
                    store.forget(tx, u.proxyId());
                } else {
                    store.registered(tx, u.proxyId(), u.registeredService(), u.registeredKey(), u.reportedHealthy());
                }
            }
            for (String mesh : meshes) {
                changeLog.append(tx, mesh, now);
            }
            return meshes;
        });
        changed.forEach(snapshots::meshChanged);
    }

    public void release(String holder) {
        database.inTransaction(tx -> {
            leases.release(tx, LEASE, holder);
            return null;
        });
    }



    /** Who holds the Cloud Map sync lease (a replica or a standalone syncer) and until when, if anyone does. */
    public java.util.Optional<Map.Entry<String, Long>> leaseHolder() {
        return database.inTransaction(tx -> leases.current(tx, LEASE, clock.millis()));
    }

    private List<RegistrationView> registrations(Transaction tx) {
        List<Registration> wanted = store.registrations(tx);
        if (wanted.isEmpty()) {
            return List.of();
        }
        Map<String, ProxyStore.Row> live = new HashMap<>();
        for (ProxyStore.Row row : proxies.all(tx, null)) {
            live.put(row.proxyId(), row);
        }
        List<RegistrationView> out = new ArrayList<>(wanted.size());
        for (Registration r : wanted) {
            ProxyStore.Row p = live.get(r.proxyId());
            boolean isNode = p != null && "virtualNode".equals(p.resourceKind());
            Map<String, String> attributes = r.attributesJson().isEmpty() ? Map.of()
                    : StrictJson.mapper().convertValue(StrictJson.read(r.attributesJson()), ATTRIBUTES);
            out.add(new RegistrationView(r.proxyId(), isNode ? p.mesh() : null, isNode ? p.resourceName() : null,
                    isNode ? p.address() : null, !r.attributesJson().isEmpty(), attributes, r.healthy(),
                    r.registeredService(), r.registeredKey(), r.reportedHealthy()));
        }
        return out;
    }
}
