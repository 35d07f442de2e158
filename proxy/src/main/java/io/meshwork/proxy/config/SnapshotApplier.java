package io.meshwork.proxy.config;

import io.meshwork.proxy.settings.ResourceRef;
import io.meshwork.proxy.change.PreparedChanges;
import io.meshwork.proxy.listener.ListenerManager;
import io.meshwork.proxy.observability.AccessLogWriter;
import io.meshwork.proxy.observability.ProxyMetrics;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.SnapshotJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a snapshot in force whole, or refuses it and leaves the previous one in force unchanged.
 * First everything that can fail, without touching what is in force: compile it for the request
 * path, build its TLS contexts, open its access log, prepare its clusters, bind its new ports.
 * Then every part commits and the configuration switches in one step; then what only the
 * previous configuration needed is let go. If any part cannot be prepared, those prepared are
 * discarded (new sockets closed, a new access-log file closed).
 */
public final class SnapshotApplier {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotApplier.class);

    /** A snapshot that could not be put in force; the previous one is still in force, unchanged. */
    public static final class Rejected extends Exception {
        private final String version;

        Rejected(String version, String reason) {
            super(reason);
            this.version = version;
        }

        /** The refused snapshot's version, or null when it could not even be read. */
        public String version() {
            return version;
        }
    }

    private final ResourceRef resource;
    private final ActiveConfig active;
    private final ListenerManager listeners;
    private final ClusterRegistry clusters;
    private final AccessLogWriter accessLog;
    private final ProxyMetrics metrics;

    public SnapshotApplier(ResourceRef resource, ActiveConfig active, ListenerManager listeners, ClusterRegistry clusters,
                           AccessLogWriter accessLog, ProxyMetrics metrics) {
        this.resource = resource;
        this.active = active;
        this.listeners = listeners;
        this.clusters = clusters;
        this.accessLog = accessLog;
        this.metrics = metrics;
    }

    public synchronized ProxySnapshot apply(byte[] json) throws Rejected {
        ProxySnapshot snapshot;
        try {
            snapshot = SnapshotJson.read(json);
        } catch (IllegalArgumentException e) {
            metrics.configRejected();
            throw new Rejected(null, e.getMessage());
        }
        return apply(snapshot, json);
    }

    /** Applies a snapshot already read from {@code json} (the saved one at start: read once, not written back and read again). */
    public synchronized ProxySnapshot apply(ProxySnapshot snapshot, byte[] json) throws Rejected {
        PreparedChanges changes = new PreparedChanges();
        RuntimeConfig next;
        try {
            requireOurs(snapshot);
            next = RuntimeConfig.of(snapshot, json, metrics.traffic());
            if (clusters.tls() != null) {
                changes.add(clusters.tls().prepare(snapshot)); // first: it may have to fetch the workload certificate
            }
            changes.add(accessLog.prepare(snapshot.accessLog()));
            changes.add(clusters.prepare(snapshot.clusters()));
            changes.add(listeners.prepare(next));
        } catch (Exception e) { // also what Netty rethrows undeclared
            changes.abort();
            metrics.configRejected();
            throw new Rejected(snapshot.version(), e.getMessage() != null ? e.getMessage() : e.toString());
        }
        changes.commit(() -> active.set(next));
        metrics.configApplied(snapshot.version());
        LOG.info("configuration {} in force (mesh revision {}){}", snapshot.version(), snapshot.revision(),
                snapshot.problems() == null ? "" : "; the control plane reports: " + snapshot.problems());
        return snapshot;
    }

    private void requireOurs(ProxySnapshot snapshot) {
        if (!resource.mesh().equals(snapshot.mesh()) || !resource.kind().equals(snapshot.resourceKind())
                || !resource.name().equals(snapshot.resourceName())) {
            throw new IllegalArgumentException("the snapshot is for mesh/" + snapshot.mesh() + "/" + snapshot.resourceKind()
                    + "/" + snapshot.resourceName() + ", this proxy serves " + resource);
        }
    }
}
