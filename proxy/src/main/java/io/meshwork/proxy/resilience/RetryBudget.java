package io.meshwork.proxy.resilience;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Caps retries to one upstream so that an outage cannot multiply the load on what is left:
 * over the last 10 seconds, retries may be at most 20 % of requests plus 10 per second — the
 * defaults Linkerd chose, for the same reason. 20 % covers one instance in five failing every
 * request (or one in three failing half of them, the usual bad-instance case, at ~17 %); the
 * 10/s floor lets low-traffic services retry at all. Refused connections are retried outside the
 * budget (see {@link RetryDecision}): they put no request on any instance.
 *
 * <p>Requests are counted on the request path without a lock (a striped adder); the window is
 * kept as the running total at each second, sampled when a retry asks or a second ticks.
 */
public final class RetryBudget {
    private static final int SECONDS = 10;
    private static final double RATIO = 0.2;
    private static final int MIN_PER_SECOND = 10;

    private final LongSupplier nanoClock;
    private final LongAdder requests = new LongAdder();
    /** Running request total at the start of each of the last seconds, and retries in each. */
    private final long[] totalAtStart = new long[SECONDS];
    private final long[] retries = new long[SECONDS];
    private long currentSecond = Long.MIN_VALUE / 2;

    public RetryBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public RetryBudget() {
        this(System::nanoTime);
    }

    /** Every request (not every attempt) deposits into the budget. */
    public void recordRequest() {
        requests.increment();
    }

    /** Takes one retry from the budget; false if the budget is spent (the failure goes to the caller). */
    public synchronized boolean tryRetry() {
        int now = advance();
        long total = requests.sum();
        // The oldest second still in the window starts right after the current one in the ring.
        long windowRequests = total - totalAtStart[(now + 1) % SECONDS];
        long windowRetries = 0;
        for (long r : retries) {
            windowRetries += r;
        }
        if (windowRetries >= MIN_PER_SECOND * SECONDS + RATIO * windowRequests) {
            return false;
        }
        retries[now]++;
        return true;
    }

    /** Moves the window to the current second (seconds without a call start with the total as it is now). */
    private int advance() {
        long now = nanoClock.getAsLong() / 1_000_000_000L;
        if (now != currentSecond) {
            // The first look counts every request so far as recent; later ones sample the running total.
            long total = currentSecond == Long.MIN_VALUE / 2 ? 0 : requests.sum();
            for (long s = Math.max(currentSecond + 1, now - SECONDS + 1); s <= now; s++) {
                int i = (int) Math.floorMod(s, (long) SECONDS);
                totalAtStart[i] = total;
                retries[i] = 0;
            }
            if (currentSecond != Long.MIN_VALUE / 2 && currentSecond < now - SECONDS) {
                // After a quiet spell every slot of the window starts from the same total.
                java.util.Arrays.fill(totalAtStart, total);
            }
            currentSecond = now;
        }
        return (int) Math.floorMod(now, (long) SECONDS);
    }

    /** Called once a second: keeps the window's per-second totals accurate between retries. */
    public synchronized void tick() {
        advance();
    }
}
