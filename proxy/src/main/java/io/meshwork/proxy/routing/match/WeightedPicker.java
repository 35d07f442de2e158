package io.meshwork.proxy.routing.match;

import io.meshwork.proxyapi.WeightedTarget;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks a route's target by weight, deterministically: over every run of {@code total}
 * requests each target gets exactly its share (a 90/10 split is 90/10 in every 100), with the
 * targets interleaved by a stride so a canary is not served in one block.
 */
public final class WeightedPicker {
    private final WeightedTarget[] slots;
    private final AtomicLong counter = new AtomicLong();
    private final int stride;

    public WeightedPicker(List<WeightedTarget> targets) {
        int total = targets.stream().mapToInt(t -> Math.max(0, t.weight())).sum();
        slots = new WeightedTarget[Math.max(total, 0)];
        int at = 0;
        for (WeightedTarget t : targets) {
            for (int i = 0; i < t.weight(); i++) {
                slots[at++] = t;
            }
        }
        stride = coprimeStride(slots.length);
    }

    /** The next target, or null if the route has none with a weight. */
    public WeightedTarget next() {
        if (slots.length == 0) {
            return null;
        }
        long n = counter.getAndIncrement();
        return slots[(int) ((n * stride) % slots.length)];
    }

    /** A stride near 0.618 × n that shares no factor with n, so every slot is visited once per cycle. */
    private static int coprimeStride(int n) {
        if (n <= 2) {
            return 1;
        }
        int s = Math.max(1, (int) (n * 0.618));
        while (gcd(s, n) != 1) {
            s++;
        }
        return s;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
