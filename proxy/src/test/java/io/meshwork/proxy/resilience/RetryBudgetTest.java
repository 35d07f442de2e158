package io.meshwork.proxy.resilience;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class RetryBudgetTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final RetryBudget budget = new RetryBudget(clock::get);

    private int retriesAllowed() {
        int n = 0;
        while (budget.tryRetry()) {
            n++;
        }
        return n;
    }

    @Test
    void withoutTrafficTenRetriesPerSecondOfTheWindowAreAllowed() {
        assertEquals(100, retriesAllowed());
        assertFalse(budget.tryRetry());
    }

    @Test
    void trafficAddsTwentyPercentOfItsRequests() {
        for (int i = 0; i < 1000; i++) {
            budget.recordRequest();
        }
        assertEquals(300, retriesAllowed());
    }

    @Test
    void theWindowSlidesSoASpentBudgetRecovers() {
        assertEquals(100, retriesAllowed());
        clock.addAndGet(5_000_000_000L);
        assertFalse(budget.tryRetry(), "still within the 10 s window");
        clock.addAndGet(5_000_000_000L);
        assertEquals(100, retriesAllowed(), "the retries have left the window");
    }
}
