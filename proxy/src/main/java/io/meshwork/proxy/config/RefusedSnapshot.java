package io.meshwork.proxy.config;

import java.util.function.LongSupplier;

/**
 * A snapshot the proxy refused, held so it can be tried again without fetching it: what refused
 * it (a port held by another process, a directory not created yet) may go away. Tries back off
 * from 1 s, doubling up to 60 s; without jitter, since a try costs only this proxy and never
 * the control plane.
 */
final class RefusedSnapshot {
    static final long FIRST_RETRY_MILLIS = 1_000;
    static final long MAX_RETRY_MILLIS = 60_000;

    private final String version;
    private final byte[] json;
    private final LongSupplier clockMillis;
    private final Backoff backoff = new Backoff(FIRST_RETRY_MILLIS, MAX_RETRY_MILLIS);
    private volatile String reason;
    private long dueAtMillis;

    RefusedSnapshot(String version, byte[] json, String reason, LongSupplier clockMillis) {
        this.version = version;
        this.json = json;
        this.reason = reason;
        this.clockMillis = clockMillis;
        this.dueAtMillis = clockMillis.getAsLong() + backoff.nextCeilingMillis();
    }

    String version() {
        return version;
    }

    byte[] json() {
        return json;
    }

    String reason() {
        return reason;
    }

    /** Another try refused it: the next waits twice as long. True when the reason is a new one (worth reporting). */
    boolean refusedAgain(String why) {
        dueAtMillis = clockMillis.getAsLong() + backoff.nextCeilingMillis();
        boolean changed = !java.util.Objects.equals(why, reason);
        reason = why;
        return changed;
    }

    boolean due() {
        return millisUntilDue() == 0;
    }

    long millisUntilDue() {
        return Math.max(0, dueAtMillis - clockMillis.getAsLong());
    }
}
