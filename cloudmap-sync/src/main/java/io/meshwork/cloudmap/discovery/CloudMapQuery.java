package io.meshwork.cloudmap.discovery;

import java.util.Map;
import java.util.TreeMap;

/**
 * One virtual node's awsCloudMap service discovery: the instances of {@code service} in
 * {@code namespace} that carry every one of {@code attributes}.
 *
 * @param ipPreference the node's (or mesh's) ipPreference, null for Cloud Map's default (IPv4 preferred)
 */
public record CloudMapQuery(String namespace, String service, Map<String, String> attributes, String ipPreference) {
    public CloudMapQuery {
        attributes = attributes == null ? Map.of() : Map.copyOf(new TreeMap<>(attributes));
    }

    /** The Cloud Map service this query reads; its instances revision is shared by every query on it. */
    public ServiceName serviceName() {
        return new ServiceName(namespace, service);
    }

    public record ServiceName(String namespace, String service) {
        @Override
        public String toString() {
            return namespace + "/" + service;
        }
    }
}
