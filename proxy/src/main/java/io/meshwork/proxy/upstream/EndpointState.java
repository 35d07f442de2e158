package io.meshwork.proxy.upstream;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of a virtual node at one listener port, as this proxy sees it: requests in
 * flight (for least-request balancing), the outlier detector's count of consecutive server
 * errors and ejections, connect failures in a row, and the active health check's verdict. It outlives configuration
 * changes that keep the instance, so an ejected instance stays ejected.
 */
public final class EndpointState {
    private final InetSocketAddress address;
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger consecutiveErrors = new AtomicInteger();
    // Outlier ejection, guarded by the owning PortUpstream.
    volatile long ejectedUntilNanos;
    volatile boolean ejected;
    int ejections;
    long returnedAtNanos;
    // Connect failures (ConnectFailureBackoff): written under the owning PortUpstream's lock.
    final AtomicInteger connectFailures = new AtomicInteger();
    volatile boolean connectBackedOff;
    volatile long connectAgainAtNanos;
    volatile boolean probing;
    volatile long probeUntilNanos;
    volatile int connectEpoch;
    int connectBackoffs;
    // Active health checking, guarded by this.
    private volatile boolean healthy = true;
    private int passes;
    private int failures;

    EndpointState(InetSocketAddress address) {
        this.address = address;
    }

    /** A state that belongs to no cluster (the local app's health verdict). */
    public static EndpointState standalone(InetSocketAddress address) {
        return new EndpointState(address);
    }

    public InetSocketAddress address() {
        return address;
    }

    public int activeRequests() {
        return active.get();
    }

    public void attemptStarted() {
        active.incrementAndGet();
    }

    public void attemptEnded() {
        active.decrementAndGet();
    }

    public boolean ejected() {
        return ejected;
    }

    public int ejections() {
        return ejections;
    }

    /** Counts the times it was set aside for refusing connections: a connection remembers it from its start. */
    public int connectEpoch() {
        return connectEpoch;
    }

    /** Whether it is set aside at {@code nowNanos} because connections to it failed ({@code ConnectFailureBackoff}). */
    public boolean connectBackedOff(long nowNanos) {
        return connectBackedOff && nowNanos - connectAgainAtNanos < 0;
    }

    public boolean healthy() {
        return healthy;
    }

    /**
     * Records one health check; returns true when the verdict flips: unhealthy after
     * {@code unhealthyThreshold} failures in a row, healthy again after {@code healthyThreshold}
     * passes in a row.
     */
    public synchronized boolean healthCheck(boolean passed, int healthyThreshold, int unhealthyThreshold) {
        if (passed) {
            failures = 0;
            passes++;
            if (!healthy && passes >= healthyThreshold) {
                healthy = true;
                return true;
            }
        } else {
            passes = 0;
            failures++;
            if (healthy && failures >= unhealthyThreshold) {
                healthy = false;
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
