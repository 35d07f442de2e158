package io.meshwork.cloudmap.sync;

import io.meshwork.cloudmap.discovery.CloudMapQuery;

/**
 * A virtual node discovered through Cloud Map, and the port of its first listener (the
 * AWS_INSTANCE_PORT its registered proxies get), null when it has no listener.
 */
public record NodeTarget(String mesh, String node, CloudMapQuery query, Integer firstListenerPort) {
    public NodeRef ref() {
        return new NodeRef(mesh, node);
    }
}
