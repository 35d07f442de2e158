package io.meshwork.controlapi.resource.virtualrouter;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.config.Quotas;
import io.meshwork.controlapi.resource.SpecRules;
import io.meshwork.controlapi.resource.Violations;

/** A router's listeners need distinct ports. */
public final class VirtualRouterRules implements SpecRules {
    @Override
    public void check(JsonNode spec, JsonNode parentSpec, Quotas quotas, Violations violations) {
        JsonNode listeners = spec.path("listeners");
        violations.uniquePorts(listeners, "spec.listeners");
        if (listeners.size() > quotas.listenersPerResource()) {
            violations.add("'spec.listeners' has " + listeners.size() + " listeners, more than the quota of "
                    + quotas.listenersPerResource());
        }
    }
}
