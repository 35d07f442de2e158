package io.meshwork.proxy.runtime;

import java.util.Map;

/** A virtual service the proxy routes to, by port. */
public record ServiceRuntime(String name, Map<Integer, ServicePortRuntime> ports) {
    /**
     * The port a request addressed to {@code requestedPort} (null when the Host has none) is for:
     * that port if the service has it; with no port given, the service's only port, else 80.
     */
    public ServicePortRuntime port(Integer requestedPort) {
        if (requestedPort != null) {
            return ports.get(requestedPort);
        }
        if (ports.size() == 1) {
            return ports.values().iterator().next();
        }
        return ports.get(80);
    }
}
