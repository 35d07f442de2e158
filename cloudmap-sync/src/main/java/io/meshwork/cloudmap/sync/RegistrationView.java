package io.meshwork.cloudmap.sync;

import java.util.Map;

/**
 * A proxy that asked to be registered in Cloud Map, as the control plane sees it now, and what
 * was last registered for it.
 *
 * @param address     where the proxy serves, null once it is gone (deregistered or expired)
 * @param wanted      false once the proxy stopped asking
 * @param attributes  its own extra attributes
 * @param healthy     its app's health, from its local health check
 * @param registeredService "namespace/service" it is registered in, null if none
 */
public record RegistrationView(String proxyId, String mesh, String node, String address, boolean wanted,
                               Map<String, String> attributes, boolean healthy, String registeredService,
                               String registeredKey, Boolean reportedHealthy) {
    public RegistrationView {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
