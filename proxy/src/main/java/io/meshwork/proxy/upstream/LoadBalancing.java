package io.meshwork.proxy.upstream;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a request picks among a node's available instances. Least-request (the default) takes
 * the less busy of two random instances — a slow or stalled instance accumulates requests in
 * flight and so gets fewer new ones; round robin (App Mesh's Envoy default) takes turns.
 * Weighted targets are decided before this, per route.
 */
public enum LoadBalancing {
    LEAST_REQUEST, ROUND_ROBIN;

    /** From {@code PROXY_LB_POLICY} ({@code least_request} or {@code round_robin}). */
    public static LoadBalancing of(String name) {
        if (name == null || name.isBlank()) {
            return LEAST_REQUEST;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PROXY_LB_POLICY must be least_request or round_robin, not " + name);
        }
    }

    EndpointState choose(EndpointState[] candidates, int count, AtomicInteger turn) {
        if (count == 1) {
            return candidates[0];
        }
        if (this == ROUND_ROBIN) {
            return candidates[Math.floorMod(turn.getAndIncrement(), count)];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(count);
        int b = random.nextInt(count - 1);
        if (b >= a) {
            b++;
        }
        EndpointState first = candidates[a];
        EndpointState second = candidates[b];
        return second.activeRequests() < first.activeRequests() ? second : first;
    }
}
