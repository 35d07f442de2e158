package io.meshwork.cloudmap.sync;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/** What a syncer found this round: nodes whose instances may have changed, and registration bookkeeping. */
public record SyncResult(List<NodeInstances> endpoints, List<RegistrationUpdate> registrations) {
    public SyncResult {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        registrations = registrations == null ? List.of() : List.copyOf(registrations);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return endpoints.isEmpty() && registrations.isEmpty();
    }
}
