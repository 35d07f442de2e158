package io.meshwork.proxy.upstream;

/**
 * Connection stats that also tell the upstream whether connections to one of its instances open
 * ({@link Upstream#connectOutcome}). Made only when an attempt opens a new connection, so a
 * connection's failure is counted once, however many HTTP/2 streams waited for it.
 */
public final class InstanceConnectionStats implements ConnectionStats {
    private final ConnectionStats stats;
    private final Upstream upstream;
    private final EndpointState endpoint;

    public InstanceConnectionStats(ConnectionStats stats, Upstream upstream, EndpointState endpoint) {
        this.stats = stats;
        this.upstream = upstream;
        this.endpoint = endpoint;
    }

    @Override
    public void opened() {
        stats.opened();
        upstream.connectOutcome(endpoint, true);
    }

    @Override
    public void closed() {
        stats.closed();
    }

    @Override
    public void failed() {
        stats.failed();
        upstream.connectOutcome(endpoint, false);
    }
}
