package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpContent;

import java.util.ArrayList;
import java.util.List;

/**
 * A request body on its way upstream, kept for a retry while it fits in {@code limit} bytes: a
 * retry must resend exactly what the caller sent. A body that outgrows the limit streams through
 * instead and makes its request unretryable. Parts that arrive while no attempt is connected
 * wait here; backpressure on the caller bounds them.
 */
final class ReplayableBody {
    private final int limit;
    private final List<HttpContent> parts = new ArrayList<>(2);
    private boolean keeping;
    private int bytes;

    /** {@code keep}: whether the request may be retried at all (its route retries). */
    ReplayableBody(int limit, boolean keep) {
        this.limit = limit;
        this.keeping = keep;
    }

    /** Whether a retry could resend the whole body so far. */
    boolean replayable() {
        return keeping;
    }

    /** Bytes held here: kept for a retry, or waiting for a connection. */
    int heldBytes() {
        return bytes;
    }

    /**
     * Takes the caller's next part; returns what to write to the connected attempt now, or null
     * when none is connected (the part waits here).
     */
    HttpContent add(HttpContent part, boolean attemptConnected) {
        int size = part.content().readableBytes();
        if (keeping && bytes + size > limit) {
            stopKeeping(attemptConnected);
        }
        if (keeping) {
            parts.add(part);
            bytes += size;
            return attemptConnected ? part.retainedDuplicate() : null;
        }
        if (!attemptConnected) {
            parts.add(part);
            bytes += size;
            return null;
        }
        return part;
    }

    /**
     * What a newly connected attempt sends first: copies of the kept body (it stays kept for
     * the next retry), or the parts that waited (handed over: they are sent once).
     */
    List<HttpContent> forNewAttempt() {
        List<HttpContent> out = new ArrayList<>(parts.size());
        if (keeping) {
            parts.forEach(p -> out.add(p.retainedDuplicate()));
        } else {
            out.addAll(parts);
            parts.clear();
            bytes = 0;
        }
        return out;
    }

    void release() {
        parts.forEach(HttpContent::release);
        parts.clear();
        bytes = 0;
    }

    /** The body outgrew the limit: what was kept either went to the attempt already, or still waits for one. */
    private void stopKeeping(boolean attemptConnected) {
        keeping = false;
        if (attemptConnected) {
            release();
        }
    }
}
