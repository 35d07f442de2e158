package io.meshwork.proxy.observability;

import io.meshwork.proxy.resilience.ResilienceEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes resilience events on to the metrics and logs them the way an operator can read:
 * ejections, returns and health transitions once each (they are transitions); retries,
 * budget exhaustion and overflows — which happen per request — at most once a minute per
 * cluster, with how many happened since.
 */
public final class ResilienceLog implements ResilienceEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ResilienceLog.class);
    private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ResilienceEvents metrics;
    private final Map<String, Throttle> throttles = new ConcurrentHashMap<>();

    public ResilienceLog(ResilienceEvents metrics) {
        this.metrics = metrics;
    }

    /** Lets one line through per minute, counting what it held back. */
    private static final class Throttle {
        private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
        private final AtomicLong held = new AtomicLong();

        /** -1 to stay quiet, otherwise how many were held back before this one. */
        long pass() {
            long now = System.nanoTime();
            long next = nextAt.get();
            if ((next == Long.MIN_VALUE || now - next >= 0) && nextAt.compareAndSet(next, now + QUIET_NANOS)) {
                return held.getAndSet(0);
            }
            held.incrementAndGet();
            return -1;
        }
    }

    private long pass(String what, String cluster) {
        return throttles.computeIfAbsent(what + "|" + cluster, k -> new Throttle()).pass();
    }

    @Override
    public void retried(String cluster, String reason) {
        metrics.retried(cluster, reason);
        long held = pass("retry", cluster);
        if (held >= 0) {
            LOG.info("retrying requests to {} (this one after {}){}", cluster, reason, since(held, "retries"));
        }
    }

    @Override
    public void retryBudgetExhausted(String cluster) {
        metrics.retryBudgetExhausted(cluster);
        long held = pass("budget", cluster);
        if (held >= 0) {
            LOG.warn("retry budget for {} spent: failures go to callers unretried{}", cluster, since(held, "more"));
        }
    }

    @Override
    public void ejected(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
        metrics.ejected(cluster, endpoint, forMillis, times);
        LOG.warn("ejected {} of {} for {} ms (outlier detection, ejection #{})", address(endpoint), cluster, forMillis, times);
    }

    @Override
    public void connectsFailing(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
        metrics.connectsFailing(cluster, endpoint, forMillis, times);
        if (times == 1) { // later back-offs of the same outage are its probes failing: the first line says it all
            LOG.warn("connections to {} of {} fail: set aside for {} ms while other instances serve, then probed (longer each"
                    + " time it still fails)", address(endpoint), cluster, forMillis);
        }
    }

    @Override
    public void connectsAgain(String cluster, InetSocketAddress endpoint) {
        metrics.connectsAgain(cluster, endpoint);
        LOG.info("{} of {} accepts connections again", address(endpoint), cluster);
    }

    @Override
    public void returned(String cluster, InetSocketAddress endpoint) {
        metrics.returned(cluster, endpoint);
        LOG.info("{} of {} is back after its ejection", address(endpoint), cluster);
    }

    @Override
    public void overflowed(String cluster, String kind) {
        metrics.overflowed(cluster, kind);
        long held = pass("overflow-" + kind, cluster);
        if (held >= 0) {
            LOG.warn("connection pool of {} full ({}): refusing with 503{}", cluster, kind, since(held, "more"));
        }
    }

    @Override
    public void healthChanged(String cluster, InetSocketAddress endpoint, boolean healthy, String detail) {
        metrics.healthChanged(cluster, endpoint, healthy, detail);
        if (healthy) {
            LOG.info("{} of {} passes its health check again", address(endpoint), cluster);
        } else {
            LOG.warn("{} of {} fails its health check: {}", address(endpoint), cluster, detail);
        }
    }

    private static String since(long held, String what) {
        return held > 0 ? " (" + held + " " + what + " since the last such line)" : "";
    }

    private static String address(InetSocketAddress a) {
        return a.getAddress() == null ? a.getHostString() + ":" + a.getPort() : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
