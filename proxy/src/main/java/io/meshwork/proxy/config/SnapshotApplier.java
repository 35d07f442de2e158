package io.meshwork.proxy.config;

import io.meshwork.proxy.change.PreparedChange;
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
 * Puts a snapshot in force, or refuses it with a reason and leaves the previous one in force:
 * compile it for the request path, open its access log, update clusters, bind new ports, then
 * switch in one step and let go of what the previous one needed and this one does not.
 */
public final class SnapshotApplier {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotApplier.class);

    /** A snapshot that could not be put in force. */
    public static final class Rejected extends Exception {
        private final String version;

        Rejected(String version, String reason) {
            super(reason);
            this.version = version;
        }

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
        try {
            if (!resource.mesh().equals(snapshot.mesh()) || !resource.kind().equals(snapshot.resourceKind())
                    || !resource.name().equals(snapshot.resourceName())) {
                throw new IllegalArgumentException("the snapshot is for mesh/" + snapshot.mesh() + "/" + snapshot.resourceKind()
                        + "/" + snapshot.resourceName() + ", this proxy serves " + resource);
            }
            RuntimeConfig next = RuntimeConfig.of(snapshot, json);
            if (clusters.tls() != null) {
                PreparedChange tls = clusters.tls().prepare(snapshot); // first: a TLS setting that cannot be honoured refuses the snapshot
                tls.commit();
            }
            PreparedChange log = accessLog.prepare(snapshot.accessLog());
            log.commit();
            log.releasePrevious();
            PreparedChange upstreams = clusters.prepare(snapshot.clusters());
            upstreams.commit();
            listeners.bindFor(next);
            active.set(next);
            listeners.unbindUnused(next);
            upstreams.releasePrevious();
            metrics.configApplied(snapshot.version());
            LOG.info("configuration {} in force (mesh revision {}){}", snapshot.version(), snapshot.revision(),
                    snapshot.problems() == null ? "" : "; the control plane reports: " + snapshot.problems());
            return snapshot;
        } catch (RuntimeException e) {
            metrics.configRejected();
            LOG.warn("configuration {} refused: {}", snapshot.version(), e.getMessage());
            throw new Rejected(snapshot.version(), e.getMessage());
        }
    }
}
