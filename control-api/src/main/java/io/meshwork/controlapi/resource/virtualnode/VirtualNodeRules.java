package io.meshwork.controlapi.resource.virtualnode;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.config.Quotas;
import io.meshwork.controlapi.resource.SpecRules;
import io.meshwork.controlapi.resource.Violations;

import java.util.HashSet;
import java.util.Set;

/**
 * Virtual nodes: listeners and service discovery come together; listener ports are distinct; a
 * listener's health check, connection pool and timeout must fit its port and protocol; backends
 * are distinct.
 */
public final class VirtualNodeRules implements SpecRules {
    @Override
    public void check(JsonNode spec, JsonNode parentSpec, Quotas quotas, Violations violations) {
        JsonNode listeners = spec.path("listeners");
        if (listeners.size() > 0 && !spec.has("serviceDiscovery")) {
            violations.add("'spec.serviceDiscovery' is required when the virtual node has listeners");
        }
        // App Mesh answered "Service Discovery can't be set without a listener": the addresses it
        // finds would have no port to be reached on.
        if (listeners.size() == 0 && spec.has("serviceDiscovery")) {
            violations.add("'spec.serviceDiscovery' can't be set without a listener: add 'spec.listeners' or remove it");
        }
        if (listeners.size() > quotas.listenersPerResource()) {
            violations.add("'spec.listeners' has " + listeners.size() + " listeners, more than the quota of "
                    + quotas.listenersPerResource());
        }
        violations.uniquePorts(listeners, "spec.listeners");
        for (int i = 0; i < listeners.size(); i++) {
            checkListener(listeners.get(i), "spec.listeners[" + i + "]", violations);
        }
        JsonNode dns = spec.path("serviceDiscovery").path("dns");
        if (dns.isObject() && dns.path("hostname").asText("").isBlank()) {
            violations.add("'spec.serviceDiscovery.dns.hostname' must not be empty");
        }
        checkBackends(spec.path("backends"), quotas, violations);
    }

    static void checkListener(JsonNode listener, String path, Violations violations) {
        long port = listener.path("portMapping").path("port").asLong();
        String protocol = listener.path("portMapping").path("protocol").asText();
        JsonNode healthCheck = listener.path("healthCheck");
        if (healthCheck.has("port") && healthCheck.path("port").asLong() != port) {
            violations.add("'" + path + ".healthCheck.port' must be the listener's port " + port + ", got "
                    + healthCheck.path("port").asLong());
        }
        memberMatchesProtocol(listener.path("connectionPool"), protocol, path + ".connectionPool", violations);
        memberMatchesProtocol(listener.path("timeout"), protocol, path + ".timeout", violations);
    }

    /** A union keyed by protocol (connection pool, timeout) must use the listener's protocol. */
    static void memberMatchesProtocol(JsonNode union, String protocol, String path, Violations violations) {
        if (!union.isObject() || union.size() != 1 || protocol.isEmpty()) {
            return;
        }
        String member = union.fieldNames().next();
        if (!member.equals(protocol)) {
            violations.add("'" + path + "." + member + "' does not match the listener's protocol " + protocol
                    + ": use '" + path + "." + protocol + "'");
        }
    }

    private static void checkBackends(JsonNode backends, Quotas quotas, Violations violations) {
        if (backends.size() > quotas.backendsPerVirtualNode()) {
            violations.add("'spec.backends' has " + backends.size() + " backends, more than the quota of "
                    + quotas.backendsPerVirtualNode());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < backends.size(); i++) {
            String name = backends.get(i).path("virtualService").path("virtualServiceName").asText(null);
            if (name != null && !seen.add(name)) {
                violations.add("'spec.backends[" + i + "]' repeats virtual service " + name);
            }
        }
    }
}
