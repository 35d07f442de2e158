package io.meshwork.proxy.config;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter, so a fleet of proxies does not reconnect in step. */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private int attempt;

    public Backoff(long baseMillis, long maxMillis) {
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
    }

    public long nextDelayMillis() {
        long ceiling = Math.min(maxMillis, baseMillis << Math.min(attempt, 20));
        attempt++;
        return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    }

    public void reset() {
        attempt = 0;
    }
}
