package io.meshwork.proxy.config;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff: the delay doubles from {@code base} up to {@code max}, with full jitter
 * when many proxies would otherwise retry in step.
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private int attempt;

    public Backoff(long baseMillis, long maxMillis) {
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
    }

    /** The next delay, between half and all of {@link #nextCeilingMillis()}, so a fleet of proxies does not reconnect in step. */
    public long nextDelayMillis() {
        long ceiling = nextCeilingMillis();
        return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    }

    /** The next delay without jitter: base, twice base, four times ... up to max. */
    public long nextCeilingMillis() {
        long ceiling = Math.min(maxMillis, baseMillis << Math.min(attempt, 20));
        attempt++;
        return ceiling;
    }

    public void reset() {
        attempt = 0;
    }
}
