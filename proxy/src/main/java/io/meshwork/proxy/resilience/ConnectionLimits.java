package io.meshwork.proxy.resilience;

import java.util.ArrayDeque;

/**
 * A listener's connection pool settings, enforced in front of the local app (App Mesh's circuit
 * breaker): at most {@code maxActive} requests (HTTP/1.1: connections; HTTP/2 and gRPC:
 * concurrent streams) at the app, at most {@code maxPending} more waiting for a slot; anything
 * beyond is refused at once (503, flag UO) rather than queued without bound. Shared by all
 * event loops; the limits follow configuration changes, the counts carry over.
 */
public final class ConnectionLimits {
    /** Where a request stands. */
    public enum Admission { NOW, QUEUED, OVERFLOW }

    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int maxActive;
    private int maxPending;
    private int active;

    public ConnectionLimits(int maxActive, int maxPending) {
        update(maxActive, maxPending);
    }

    public synchronized void update(int maxActive, int maxPending) {
        this.maxActive = Math.max(1, maxActive);
        this.maxPending = Math.max(0, maxPending);
    }

    /**
     * Takes a slot now, or queues {@code whenAdmitted} (run later, on the releasing thread, when a
     * slot frees up), or refuses.
     */
    public synchronized Admission admit(Runnable whenAdmitted) {
        if (active < maxActive) {
            active++;
            return Admission.NOW;
        }
        if (waiting.size() < maxPending) {
            waiting.add(whenAdmitted);
            return Admission.QUEUED;
        }
        return Admission.OVERFLOW;
    }

    /** Gives a slot back; the longest waiter, if any, takes it over. */
    public void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                active--;
                return;
            }
        }
        next.run();
    }

    /** A queued request gave up (its caller left or it timed out): it no longer waits. */
    public synchronized void cancel(Runnable whenAdmitted) {
        waiting.remove(whenAdmitted);
    }

    /** For TCP: a connection is refused, not queued, when the pool is full. */
    public synchronized boolean tryAcquire() {
        if (active < maxActive) {
            active++;
            return true;
        }
        return false;
    }

    public synchronized int active() {
        return active;
    }

    public synchronized int pending() {
        return waiting.size();
    }
}
