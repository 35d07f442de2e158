package io.meshwork.proxyapi;

/** A route target: the cluster (virtual node) and its listener port, with a relative weight. */
public record WeightedTarget(String cluster, int port, int weight) {
}
