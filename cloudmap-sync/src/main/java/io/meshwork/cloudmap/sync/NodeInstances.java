package io.meshwork.cloudmap.sync;

import io.meshwork.cloudmap.discovery.DiscoveredEndpoint;

import java.util.List;

/** The full list of a node's Cloud Map instances, as last read. */
public record NodeInstances(String mesh, String node, List<DiscoveredEndpoint> instances) {
    public NodeInstances {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    public NodeRef ref() {
        return new NodeRef(mesh, node);
    }
}
