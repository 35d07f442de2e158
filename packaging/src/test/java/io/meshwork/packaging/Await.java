package io.meshwork.packaging;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a fact (an answer, a passing health check), polling; never a fixed sleep. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code diagnosis} after {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> diagnosis) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + ": " + diagnosis.get());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
