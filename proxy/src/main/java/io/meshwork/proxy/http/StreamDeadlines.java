package io.meshwork.proxy.http;

import io.netty.util.concurrent.EventExecutor;

import java.util.HashSet;
import java.util.Set;

/**
 * The time limits of every exchange on one HTTP/2 connection, watched by one {@link DeadlineTimer}:
 * a stream registers while its exchange runs instead of scheduling (and cancelling) a task of its
 * own. The timer stays lazy: a new stream whose deadline is later than the one already set costs
 * nothing; when it fires, every running exchange handles what has passed and the earliest next
 * deadline is set. Used on the connection's event loop only.
 */
public final class StreamDeadlines {
    private final Set<HttpExchangeHandler> running = new HashSet<>();
    private DeadlineTimer timer;

    DeadlineTimer timer(EventExecutor executor) {
        if (timer == null) {
            timer = new DeadlineTimer(executor, this::check);
        }
        return timer;
    }

    void watch(HttpExchangeHandler stream) {
        running.add(stream);
    }

    void unwatch(HttpExchangeHandler stream) {
        running.remove(stream);
    }

    private void check() {
        long next = 0;
        // A copy: an exchange that times out ends, and leaves the set, while it is walked.
        for (HttpExchangeHandler stream : running.toArray(new HttpExchangeHandler[0])) {
            long at = stream.checkTimeouts();
            if (at != 0 && (next == 0 || at - next < 0)) {
                next = at;
            }
        }
        timer.fireBy(next);
    }
}
