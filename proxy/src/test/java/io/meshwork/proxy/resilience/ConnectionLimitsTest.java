package io.meshwork.proxy.resilience;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.meshwork.proxy.resilience.ConnectionLimits.Admission.*;
import static org.junit.jupiter.api.Assertions.*;

class ConnectionLimitsTest {
    @Test
    void admitsUpToTheLimitQueuesUpToPendingAndRefusesTheRest() {
        ConnectionLimits limits = new ConnectionLimits(2, 1);
        List<String> admitted = new ArrayList<>();
        assertEquals(NOW, limits.admit(() -> admitted.add("a")));
        assertEquals(NOW, limits.admit(() -> admitted.add("b")));
        assertEquals(QUEUED, limits.admit(() -> admitted.add("c")));
        assertEquals(OVERFLOW, limits.admit(() -> admitted.add("d")));
        assertEquals(2, limits.active());
        assertEquals(1, limits.pending());

        limits.release();
        assertEquals(List.of("c"), admitted, "the waiter takes over the freed slot");
        assertEquals(2, limits.active());
        limits.release();
        limits.release();
        assertEquals(0, limits.active(), "and the pool drains back to empty");
    }

    @Test
    void aCancelledWaiterIsNotAdmittedAndLimitsChangeInPlace() {
        ConnectionLimits limits = new ConnectionLimits(1, 5);
        assertEquals(NOW, limits.admit(() -> { }));
        List<String> admitted = new ArrayList<>();
        Runnable gaveUp = () -> admitted.add("gave up");
        assertEquals(QUEUED, limits.admit(gaveUp));
        limits.cancel(gaveUp);
        limits.release();
        assertTrue(admitted.isEmpty());
        limits.update(3, 0);
        assertTrue(limits.tryAcquire());
        assertTrue(limits.tryAcquire());
        assertTrue(limits.tryAcquire());
        assertFalse(limits.tryAcquire());
    }
}
