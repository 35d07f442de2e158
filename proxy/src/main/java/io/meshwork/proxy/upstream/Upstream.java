package io.meshwork.proxy.upstream;

import io.meshwork.proxy.resilience.RetryBudget;

import java.net.InetSocketAddress;
import java.util.List;

/** Where the attempts of one request go: a virtual node's instances at one port, or a fixed address. */
public interface Upstream {
    /** The name in stats and logs: a virtual node, {@code local_app} or {@code passthrough}. */
    String name();

    /**
     * An instance for the next attempt, avoiding {@code tried} while another is available;
     * null if there is none at all.
     */
    EndpointState pick(List<InetSocketAddress> tried);

    /** How an attempt ended, for outlier detection: {@code failed} = a 5xx, a connect failure, a reset or a timeout. */
    void outcome(EndpointState endpoint, boolean failed);

    /**
     * Whether a new connection to {@code endpoint} (TCP, and TLS where the mesh originates it)
     * could be opened: an instance that refuses connections is set aside for a while (see
     * {@link ConnectFailureBackoff}). {@code epoch} is {@link EndpointState#connectEpoch()} when
     * the connection was started: a failure of one started before the instance was last set
     * aside says nothing new.
     */
    default void connectOutcome(EndpointState endpoint, boolean connected, int epoch) {
    }

    RetryBudget budget();

    /** A single address that is never ejected (the local app, pass-through destinations). */
    static Upstream fixed(String name, InetSocketAddress address) {
        EndpointState only = new EndpointState(address);
        RetryBudget budget = new RetryBudget();
        return new Upstream() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public EndpointState pick(List<InetSocketAddress> tried) {
                return only;
            }

            @Override
            public void outcome(EndpointState endpoint, boolean failed) {
            }

            @Override
            public RetryBudget budget() {
                return budget;
            }
        };
    }
}
