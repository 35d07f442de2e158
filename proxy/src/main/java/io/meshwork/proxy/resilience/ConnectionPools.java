package io.meshwork.proxy.resilience;

import io.meshwork.proxyapi.ConnectionPool;
import io.meshwork.proxyapi.Listener;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection limits of the node's own listeners, by port. A listener without a
 * {@code connectionPool} has none (App Mesh's 2147483647). HTTP/1.1 listeners limit
 * connections to the app and the requests waiting for one ({@code maxPendingRequests}, unlimited
 * if unset); HTTP/2 and gRPC listeners limit concurrent requests; TCP listeners connections.
 */
public final class ConnectionPools {
    private final Map<Integer, ConnectionLimits> byPort = new ConcurrentHashMap<>();

    /** Follows a new configuration: limits change in place, so requests in flight stay counted. */
    public void apply(Map<Integer, Listener> listeners) {
        Set<Integer> keep = new java.util.HashSet<>();
        listeners.forEach((port, listener) -> {
            ConnectionPool pool = listener.connectionPool();
            if (pool == null) {
                return;
            }
            int max;
            int pending;
            switch (listener.protocol()) {
                case HTTP2, GRPC -> {
                    max = orUnlimited(pool.maxRequests());
                    pending = 0;
                }
                case TCP -> {
                    max = orUnlimited(pool.maxConnections());
                    pending = 0;
                }
                default -> { // HTTP/1.1
                    max = orUnlimited(pool.maxConnections());
                    pending = orUnlimited(pool.maxPendingRequests());
                }
            }
            keep.add(port);
            byPort.compute(port, (p, existing) -> {
                if (existing == null) {
                    return new ConnectionLimits(max, pending);
                }
                existing.update(max, pending);
                return existing;
            });
        });
        byPort.keySet().retainAll(keep);
    }

    /** The limits of the listener on {@code port}, or null if it has none. */
    public ConnectionLimits get(int port) {
        return byPort.get(port);
    }

    private static int orUnlimited(Integer value) {
        return value == null ? Integer.MAX_VALUE : value;
    }
}
