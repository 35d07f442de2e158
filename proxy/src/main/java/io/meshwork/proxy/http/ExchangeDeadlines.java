package io.meshwork.proxy.http;

import java.util.concurrent.TimeUnit;

/**
 * The time limits of one exchange on its event loop's clock: the request's timeout over all
 * attempts, the per-retry timeout of the attempt in flight, and the idle timeout (no byte
 * either way for that long). Only bookkeeping: the exchange asks which limit has passed and
 * when to look again. Times are {@code System.nanoTime}-style; 0 means "none".
 * <p>
 * The exchanges of one connection (or stream) take turns with one of these, each starting it
 * afresh ({@link #start}): they run one after another, and an exchange uses its deadlines only
 * until it has told its connection that it ended.
 */
final class ExchangeDeadlines {
    /** Which limit has passed, the request's first. */
    enum Passed { NONE, REQUEST, ATTEMPT, IDLE }

    private long request;
    private long idleNanos;
    private long attempt;
    private long lastActivity;

    /** The deadlines of an exchange forwarded at {@code now}, with the limits of its route; forgets the last exchange's. */
    ExchangeDeadlines start(long now, long timeoutMillis, long idleMillis) {
        this.request = timeoutMillis > 0 ? nonZero(now + TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) : 0;
        this.idleNanos = idleMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(idleMillis) : 0;
        this.attempt = 0;
        this.lastActivity = now;
        return this;
    }

    /** An attempt starts; it may take at most {@code perTryMillis} (0: only the request's timeout bounds it). */
    void attemptStarted(long now, long perTryMillis) {
        attempt = perTryMillis > 0 ? nonZero(now + TimeUnit.MILLISECONDS.toNanos(perTryMillis)) : 0;
    }

    /** The attempt ended, or its response was accepted: the per-retry timeout no longer applies. */
    void attemptEnded() {
        attempt = 0;
    }

    /** Whether an idle timeout is set: only then is activity worth a clock read. */
    boolean watchesIdle() {
        return idleNanos != 0;
    }

    /** A byte went one way or the other. */
    void activity(long now) {
        lastActivity = now;
    }

    Passed passed(long now) {
        if (request != 0 && now - request >= 0) {
            return Passed.REQUEST;
        }
        if (attempt != 0 && now - attempt >= 0) {
            return Passed.ATTEMPT;
        }
        if (idleNanos != 0 && now - (lastActivity + idleNanos) >= 0) {
            return Passed.IDLE;
        }
        return Passed.NONE;
    }

    /** Whether the request's own timeout still leaves time. */
    boolean timeLeft(long now) {
        return request == 0 || now - request < 0;
    }

    /** The earliest moment a limit can pass, 0 when none is set. */
    long next() {
        return earliest(earliest(request, attempt), idleNanos == 0 ? 0 : nonZero(lastActivity + idleNanos));
    }

    long idleMillis() {
        return TimeUnit.NANOSECONDS.toMillis(idleNanos);
    }

    private static long earliest(long a, long b) {
        return a == 0 ? b : b == 0 ? a : (a - b < 0 ? a : b);
    }

    /** A deadline that happens to fall on 0 is moved by a nanosecond, since 0 means none. */
    private static long nonZero(long at) {
        return at == 0 ? 1 : at;
    }
}
