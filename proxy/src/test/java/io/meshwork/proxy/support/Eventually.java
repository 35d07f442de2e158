package io.meshwork.proxy.support;

import java.time.Duration;

/** Retries a check until it holds or time is up: for effects that cross processes and arrive "soon". */
public final class Eventually {
    /** A check that may throw (an assertion, or I/O on the way). */
    public interface Check {
        void run() throws Exception;
    }

    private Eventually() {
    }

    /** Runs {@code check} every 100 ms until it passes; after {@code within}, its last failure is thrown. */
    public static void eventually(Duration within, Check check) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | RuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
