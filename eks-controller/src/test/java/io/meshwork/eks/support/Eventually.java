package io.meshwork.eks.support;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for the controller to get somewhere (it works asynchronously, as any controller). */
public final class Eventually {
    private Eventually() {
    }

    public static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + (last == null ? "" : ": " + last), last);
    }
}
