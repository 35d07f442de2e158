package io.meshwork.proxy.upstream;

import java.util.concurrent.TimeUnit;

/**
 * How long an instance that refuses connections is set aside, whether or not its node has
 * outlier detection. An instance that is gone but still listed — its task died without
 * deregistering, or Cloud Map cannot be read so the list cannot change — otherwise takes its
 * share of first attempts forever, and least-request balancing even favours it (it never has a
 * request in flight): each such attempt costs the caller a connect failure and a retry backoff.
 *
 * <p>After {@link #FAILURES} connect failures in a row it is not picked for 1 s. Then one request
 * may connect to it (the probe; the others keep away until the probe's connection opens or fails,
 * or for {@link #PROBE_NANOS} at most); if that fails too, it is set aside for twice as long, up to
 * 30 s. One connection that opens ends it. At most half a node's instances are set aside or
 * ejected at once, so a node under a connect storm (timeouts, slow handshakes) does not pile its
 * load on one instance; and if every instance is unusable, all are used (Envoy's panic mode).
 * Linkerd's failure accrual does the same for any failure; only connect failures count here,
 * because they cannot be the request's fault.
 */
final class ConnectFailureBackoff {
    /** Connect failures in a row that set an instance aside. */
    static final int FAILURES = 3;
    /** The longest a probe keeps other requests away: a connect timeout (5 s) and a TLS handshake. */
    static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long FIRST_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LONGEST_NANOS = TimeUnit.SECONDS.toNanos(30);

    private ConnectFailureBackoff() {
    }

    /** How long the {@code n}th back-off in a row lasts: 1, 2, 4, 8, 16, then 30 s. */
    static long nanos(int n) {
        return Math.min(LONGEST_NANOS, FIRST_NANOS << Math.min(Math.max(n, 1) - 1, 5));
    }
}
