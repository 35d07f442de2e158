package io.meshwork.proxy.resilience;

import java.net.InetSocketAddress;

/** What resilience mechanisms report: counted in /stats/prometheus and logged once per transition. */
public interface ResilienceEvents {
    ResilienceEvents NONE = new ResilienceEvents() {
    };

    /** A failed attempt is tried again ({@code reason}: the status, {@code connect}, {@code reset}, {@code timeout}). */
    default void retried(String cluster, String reason) {
    }

    /** A retryable failure went to the caller because the cluster's retry budget was spent. */
    default void retryBudgetExhausted(String cluster) {
    }

    default void ejected(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
    }

    default void returned(String cluster, InetSocketAddress endpoint) {
    }

    /** Connections to an instance failed {@code ConnectFailureBackoff.FAILURES} times in a row: it is set aside (back-off #{@code times}). */
    default void connectsFailing(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
    }

    /** A connection to an instance that had been set aside opened. */
    default void connectsAgain(String cluster, InetSocketAddress endpoint) {
    }

    /** A request (or TCP connection) refused by a connection pool limit ({@code kind}: pending, requests, connections). */
    default void overflowed(String cluster, String kind) {
    }

    default void healthChanged(String cluster, InetSocketAddress endpoint, boolean healthy, String detail) {
    }
}
