package io.meshwork.proxy.runtime;

import java.util.Map;

/** A virtual service the proxy routes to, by port. */
public final class ServiceRuntime {
    private final String name;
    private final Map<Integer, ServicePortRuntime> ports;
    /** What a request without a port is for: the service's only port, else 80 (worked out once, not per request). */
    private final ServicePortRuntime portless;

    public ServiceRuntime(String name, Map<Integer, ServicePortRuntime> ports) {
        this.name = name;
        this.ports = ports;
        this.portless = ports.size() == 1 ? ports.values().iterator().next() : ports.get(80);
    }

    public String name() {
        return name;
    }

    public Map<Integer, ServicePortRuntime> ports() {
        return ports;
    }

    /**
     * The port a request addressed to {@code requestedPort} (null when the Host has none) is for:
     * that port if the service has it; with no port given, the service's only port, else 80.
     */
    public ServicePortRuntime port(Integer requestedPort) {
        return requestedPort != null ? ports.get(requestedPort) : portless;
    }

    @Override
    public String toString() {
        return "ServiceRuntime[" + name + ", ports " + ports.keySet() + "]";
    }
}
