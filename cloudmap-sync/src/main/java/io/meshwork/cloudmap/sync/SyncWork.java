package io.meshwork.cloudmap.sync;

import java.util.List;

/**
 * What the control plane asks a Cloud Map syncer to do this round. {@code leader} false: another
 * syncer holds the lease, do nothing.
 */
public record SyncWork(boolean leader, List<NodeTarget> nodes, List<RegistrationView> registrations) {
    public SyncWork {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        registrations = registrations == null ? List.of() : List.copyOf(registrations);
    }

    public static SyncWork notLeader() {
        return new SyncWork(false, List.of(), List.of());
    }
}
