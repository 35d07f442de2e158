package io.meshwork.controlapi.resource.virtualgateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.config.Quotas;
import io.meshwork.controlapi.resource.SpecRules;
import io.meshwork.controlapi.resource.Violations;

/** Virtual gateways: at least one listener, distinct ports, pools and health checks that fit them. */
public final class VirtualGatewayRules implements SpecRules {
    @Override
    public void check(JsonNode spec, JsonNode parentSpec, Quotas quotas, Violations violations) {
        JsonNode listeners = spec.path("listeners");
        if (listeners.isArray() && listeners.isEmpty()) {
            violations.add("'spec.listeners' must have at least one listener");
        }
        if (listeners.size() > quotas.listenersPerResource()) {
            violations.add("'spec.listeners' has " + listeners.size() + " listeners, more than the quota of "
                    + quotas.listenersPerResource());
        }
        violations.uniquePorts(listeners, "spec.listeners");
        for (int i = 0; i < listeners.size(); i++) {
            JsonNode listener = listeners.get(i);
            String path = "spec.listeners[" + i + "]";
            long port = listener.path("portMapping").path("port").asLong();
            JsonNode healthCheck = listener.path("healthCheck");
            if (healthCheck.has("port") && healthCheck.path("port").asLong() != port) {
                violations.add("'" + path + ".healthCheck.port' must be the listener's port " + port);
            }
            JsonNode pool = listener.path("connectionPool");
            String protocol = listener.path("portMapping").path("protocol").asText();
            if (pool.isObject() && pool.size() == 1 && !pool.has(protocol)) {
                violations.add("'" + path + ".connectionPool." + pool.fieldNames().next()
                        + "' does not match the listener's protocol " + protocol);
            }
        }
    }
}
