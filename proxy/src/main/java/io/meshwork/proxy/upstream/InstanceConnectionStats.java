package io.meshwork.proxy.upstream;

/**
 * Connection stats that also tell the upstream whether connections to one of its instances open
 * ({@link Upstream#connectOutcome}). An attempt makes one when it has no ready connection; the
 * connector calls it only for a connection it opens (for HTTP/2, only the stats of the attempt
 * that started the connection: streams waiting on it are not counted again).
 */
public final class InstanceConnectionStats implements ConnectionStats {
    private final ConnectionStats stats;
    private final Upstream upstream;
    private final EndpointState endpoint;
    private final int epoch;

    public InstanceConnectionStats(ConnectionStats stats, Upstream upstream, EndpointState endpoint) {
        this.stats = stats;
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.epoch = endpoint.connectEpoch();
    }

    @Override
    public void opened() {
        stats.opened();
        upstream.connectOutcome(endpoint, true, epoch);
    }

    @Override
    public void closed() {
        stats.closed();
    }

    @Override
    public void failed() {
        stats.failed();
        upstream.connectOutcome(endpoint, false, epoch);
    }
}
