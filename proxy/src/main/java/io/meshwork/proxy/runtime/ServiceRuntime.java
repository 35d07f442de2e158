package io.meshwork.proxy.runtime;

import java.util.Map;

/** A virtual service the proxy routes to, by port. */
public record ServiceRuntime(String name, Map<Integer, ServicePortRuntime> ports, ServicePortRuntime portless) {
    /**
     * {@code portless} is what a request without a port is for: the service's only port, else 80
     * (worked out once here rather than for every request).
     */
    public ServiceRuntime(String name, Map<Integer, ServicePortRuntime> ports) {
        this(name, ports, ports.size() == 1 ? ports.values().iterator().next() : ports.get(80));
    }

    /**
     * The port a request addressed to {@code requestedPort} (null when the Host has none) is for:
     * that port if the service has it; with no port given, the service's only port, else 80.
     */
    public ServicePortRuntime port(Integer requestedPort) {
        return requestedPort != null ? ports.get(requestedPort) : portless;
    }
}
