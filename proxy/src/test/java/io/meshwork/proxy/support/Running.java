package io.meshwork.proxy.support;

import java.util.ArrayDeque;
import java.util.Deque;

/** What a test class started (apps, proxies, clients), closed in the reverse order it was started. */
public final class Running implements AutoCloseable {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    public <T extends AutoCloseable> T add(T thing) {
        started.push(thing);
        return thing;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
