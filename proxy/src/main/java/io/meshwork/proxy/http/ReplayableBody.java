package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

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
    /** Made on the first part kept: a body may end before any part needed keeping. */
    private List<HttpContent> parts;
    /**
     * The body ended with {@link LastHttpContent#EMPTY_LAST_CONTENT} after parts with bytes: a
     * flag rather than a list entry, as it is the same shared object for every request. (A
     * bodiless request makes no ReplayableBody at all: see {@code Exchange}.)
     */
    private boolean emptyEnd;
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
        if (part == LastHttpContent.EMPTY_LAST_CONTENT) {
            if (keeping || !attemptConnected) {
                emptyEnd = true;
            }
            return attemptConnected ? part : null;
        }
        int size = part.content().readableBytes();
        if (keeping && bytes + size > limit) {
            stopKeeping(attemptConnected);
        }
        if (keeping) {
            keep(part);
            bytes += size;
            return attemptConnected ? part.retainedDuplicate() : null;
        }
        if (!attemptConnected) {
            keep(part);
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
        if (parts == null || parts.isEmpty()) {
            if (!emptyEnd) {
                return List.of();
            }
            emptyEnd = keeping;
            return List.of(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        List<HttpContent> out = new ArrayList<>(parts.size() + 1);
        if (keeping) {
            for (HttpContent p : parts) {
                out.add(p.retainedDuplicate());
            }
        } else {
            out.addAll(parts);
            parts.clear();
            bytes = 0;
        }
        if (emptyEnd) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            emptyEnd = keeping;
        }
        return out;
    }

    void release() {
        if (parts != null) {
            parts.forEach(HttpContent::release);
            parts.clear();
        }
        emptyEnd = false;
        bytes = 0;
    }

    private void keep(HttpContent part) {
        if (parts == null) {
            parts = new ArrayList<>(2);
        }
        parts.add(part);
    }

    /** The body outgrew the limit: what was kept either went to the attempt already, or still waits for one. */
    private void stopKeeping(boolean attemptConnected) {
        keeping = false;
        if (attemptConnected) {
            release();
        }
    }
}
