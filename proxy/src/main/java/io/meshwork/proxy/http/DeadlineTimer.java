package io.meshwork.proxy.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One scheduled task that runs {@code check} no later than the earliest deadline it was asked
 * for. It is lazy: a deadline that moves later costs nothing (the check finds nothing due and
 * asks again), so a connection does not schedule and cancel a task for every request.
 */
final class DeadlineTimer {
    private final EventExecutor executor;
    private final Runnable check;
    private ScheduledFuture<?> task;
    private long at;

    DeadlineTimer(EventExecutor executor, Runnable check) {
        this.executor = executor;
        this.check = check;
    }

    /** Makes sure the check runs by {@code deadline} (0: nothing to do). */
    void fireBy(long deadline) {
        if (deadline == 0 || task != null && at - deadline <= 0) {
            return;
        }
        if (task != null) {
            task.cancel(false);
        }
        at = deadline;
        task = executor.schedule(this::fire, deadline - now(), TimeUnit.NANOSECONDS);
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** The event loop's clock (virtual in EmbeddedChannel tests). */
    long now() {
        return executor.ticker().nanoTime();
    }

    private void fire() {
        task = null;
        check.run();
    }
}
