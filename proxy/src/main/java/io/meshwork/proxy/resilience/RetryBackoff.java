package io.meshwork.proxy.resilience;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Time before retry n (1-based): exponential from 25 ms, capped at 250 ms, with full jitter —
 * Envoy's defaults, so that callers retrying the same failure spread out instead of arriving
 * together.
 */
public final class RetryBackoff {
    static final long BASE_MILLIS = 25;
    static final long MAX_MILLIS = 250;

    private RetryBackoff() {
    }

    public static long delayMillis(int retry) {
        long ceiling = Math.min(MAX_MILLIS, BASE_MILLIS << Math.min(Math.max(retry - 1, 0), 10));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
