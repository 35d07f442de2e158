package io.meshwork.proxy.upstream;

/** What upstream connection handling reports for stats: connections opened, closed, failed, per cluster. */
public interface UpstreamStats {
    void connected(String cluster);

    void disconnected(String cluster);

    void connectFailed(String cluster);
}
