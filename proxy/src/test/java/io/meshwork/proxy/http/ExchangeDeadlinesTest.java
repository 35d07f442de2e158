package io.meshwork.proxy.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class ExchangeDeadlinesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theRequestTimeoutPassesFirstAndThePerTryTimeoutOnlyWhileAnAttemptRuns() {
        long start = Long.MAX_VALUE - 500 * MS; // deadlines are compared so that the clock may wrap
        ExchangeDeadlines d = new ExchangeDeadlines().start(start, 1_000, 0);
        d.attemptStarted(start, 300);
        assertEquals(start + 300 * MS, d.next());
        assertEquals(ExchangeDeadlines.Passed.NONE, d.passed(start + 299 * MS));
        assertEquals(ExchangeDeadlines.Passed.ATTEMPT, d.passed(start + 300 * MS));
        d.attemptEnded();
        assertEquals(ExchangeDeadlines.Passed.NONE, d.passed(start + 999 * MS));
        assertTrue(d.timeLeft(start + 999 * MS));
        assertEquals(ExchangeDeadlines.Passed.REQUEST, d.passed(start + 1_000 * MS));
        assertFalse(d.timeLeft(start + 1_000 * MS));
    }

    @Test
    void theIdleTimeoutCountsFromTheLastByteEitherWay() {
        ExchangeDeadlines d = new ExchangeDeadlines().start(0, 0, 100);
        d.activity(90 * MS);
        assertEquals(ExchangeDeadlines.Passed.NONE, d.passed(150 * MS));
        assertEquals(190 * MS, d.next());
        assertEquals(ExchangeDeadlines.Passed.IDLE, d.passed(190 * MS));
    }

    @Test
    void withoutLimitsNothingEverPasses() {
        ExchangeDeadlines d = new ExchangeDeadlines().start(5, 0, 0);
        d.attemptStarted(5, 0);
        assertEquals(0, d.next());
        assertEquals(ExchangeDeadlines.Passed.NONE, d.passed(Long.MAX_VALUE));
    }

    @Test
    void theNextExchangeOnAConnectionStartsWithNoneOfTheLastOnesLimits() {
        ExchangeDeadlines d = new ExchangeDeadlines().start(0, 1_000, 100);
        d.attemptStarted(0, 50); // the last exchange ended with its attempt still timed
        d.start(10 * MS, 0, 0);
        assertEquals(0, d.next(), "no request, attempt or idle limit left over");
        assertEquals(ExchangeDeadlines.Passed.NONE, d.passed(10_000 * MS));
        assertTrue(d.timeLeft(10_000 * MS));
        d.start(20 * MS, 0, 100);
        assertEquals(120 * MS, d.next(), "idle counts from this exchange's start");
    }
}
