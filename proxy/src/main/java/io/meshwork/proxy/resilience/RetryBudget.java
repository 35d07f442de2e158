package io.meshwork.proxy.resilience;

import java.util.function.LongSupplier;

/**
 * Caps retries to one upstream so that an outage cannot multiply the load on what is left:
 * over the last 10 seconds, retries may be at most 20 % of requests plus 10 per second — the
 * defaults Linkerd chose, for the same reason. 20 % covers one instance in five failing every
 * request (or one in three failing half of them, the usual bad-instance case, at ~17 %); the
 * 10/s floor lets low-traffic services retry at all. Counted in one-second buckets.
 */
public final class RetryBudget {
    private static final int SECONDS = 10;
    private static final double RATIO = 0.2;
    private static final int MIN_PER_SECOND = 10;

    private final LongSupplier nanoClock;
    private long currentSecond = Long.MIN_VALUE / 2;
    private final long[] requests = new long[SECONDS];
    private final long[] retries = new long[SECONDS];

    public RetryBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public RetryBudget() {
        this(System::nanoTime);
    }

    /** Every request (not every attempt) deposits into the budget. */
    public synchronized void recordRequest() {
        requests[bucket()]++;
    }

    /** Takes one retry from the budget; false if the budget is spent (the failure goes to the caller). */
    public synchronized boolean tryRetry() {
        int now = bucket();
        long windowRequests = 0;
        long windowRetries = 0;
        for (int i = 0; i < SECONDS; i++) {
            windowRequests += requests[i];
            windowRetries += retries[i];
        }
        if (windowRetries >= MIN_PER_SECOND * SECONDS + RATIO * windowRequests) {
            return false;
        }
        retries[now]++;
        return true;
    }

    /** The bucket of the current second; buckets of seconds that passed since the last call are cleared. */
    private int bucket() {
        long now = nanoClock.getAsLong() / 1_000_000_000L;
        if (now != currentSecond) {
            for (long s = Math.max(currentSecond + 1, now - SECONDS + 1); s <= now; s++) {
                int i = (int) Math.floorMod(s, (long) SECONDS);
                requests[i] = 0;
                retries[i] = 0;
            }
            currentSecond = now;
        }
        return (int) Math.floorMod(now, (long) SECONDS);
    }
}
