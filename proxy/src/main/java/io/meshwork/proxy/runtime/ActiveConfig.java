package io.meshwork.proxy.runtime;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration in force: one reference the config watcher replaces whole. Request
 * handlers read it once per request, so a request never sees half of two configurations.
 */
public final class ActiveConfig {
    private final AtomicReference<RuntimeConfig> current = new AtomicReference<>();

    public RuntimeConfig get() {
        return current.get();
    }

    public void set(RuntimeConfig config) {
        current.set(config);
    }

    public boolean isReady() {
        return current.get() != null;
    }
}
