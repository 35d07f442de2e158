package io.meshwork.proxy.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How often a refused snapshot is tried again, on a virtual clock. */
class RefusedSnapshotTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void triesWaitOneSecondThenTwiceAsLongEachTimeUpToAMinute() {
        RefusedSnapshot refused = new RefusedSnapshot("v2", new byte[0], "cannot listen on 127.0.0.1:8001", now::get);

        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            long wait = refused.millisUntilDue();
            waits.add(wait);
            now.addAndGet(wait - 1);
            assertFalse(refused.due(), "not a millisecond early");
            now.incrementAndGet();
            assertTrue(refused.due());
            refused.refusedAgain("cannot listen on 127.0.0.1:8001");
        }

        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L), waits);
    }

    @Test
    void aRefusalForTheSameReasonIsNotNewsButAnotherReasonIs() {
        RefusedSnapshot refused = new RefusedSnapshot("v2", new byte[0], "cannot listen on 127.0.0.1:8001", now::get);

        assertFalse(refused.refusedAgain("cannot listen on 127.0.0.1:8001"));
        assertTrue(refused.refusedAgain("cannot listen on 127.0.0.1:8002"));
        assertEquals("cannot listen on 127.0.0.1:8002", refused.reason());
    }
}
