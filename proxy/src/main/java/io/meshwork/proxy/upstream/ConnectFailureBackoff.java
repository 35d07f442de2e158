package io.meshwork.proxy.upstream;

import java.util.concurrent.TimeUnit;

/**
 * How long an instance that refuses connections is set aside, whether or not its node has
 * outlier detection. An instance that is gone but still listed — its task died without
 * deregistering, or Cloud Map cannot be read so the list cannot change — otherwise takes its
 * share of first attempts forever, and least-request balancing even favours it (it never has a
 * request in flight): each such attempt costs the caller a connect failure and a retry backoff.
 * After {@link #FAILURES} connect failures in a row it is not picked for 1 s; the first
 * connection after that is a probe, and another failure sets it aside for twice as long, up to
 * 30 s. One connection that opens ends it. Like an ejection, it never leaves a node with no
 * instance: when every instance is set aside, all are used (Envoy's panic mode). Linkerd's
 * failure accrual does the same, for any failure; only connect failures count here, because
 * they cannot be the request's fault.
 */
final class ConnectFailureBackoff {
    /** Connect failures in a row that set an instance aside. */
    static final int FAILURES = 3;
    private static final long FIRST_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LONGEST_NANOS = TimeUnit.SECONDS.toNanos(30);

    private ConnectFailureBackoff() {
    }

    /** How long the {@code n}th back-off in a row lasts: 1, 2, 4, 8, 16, then 30 s. */
    static long nanos(int n) {
        return Math.min(LONGEST_NANOS, FIRST_NANOS << Math.min(Math.max(n, 1) - 1, 5));
    }
}
