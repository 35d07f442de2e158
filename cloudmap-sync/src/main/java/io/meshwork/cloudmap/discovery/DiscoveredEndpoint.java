package io.meshwork.cloudmap.discovery;

/**
 * An instance found in Cloud Map, as the address a proxy connects to.
 *
 * @param port AWS_INSTANCE_PORT, or null when the instance did not register one
 */
public record DiscoveredEndpoint(String instanceId, String address, Integer port) {
}
