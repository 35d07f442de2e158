package io.meshwork.controlapi.auth.keys;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Store lookups on the request path (a key, a mapping) remembered for two seconds, absent ones
 * too: every signed request needs one, and a change made through another replica reaches this
 * one within that time ({@link #forget} makes this replica's own changes count at once).
 * Bounded: past 10,000 entries it starts afresh.
 */
public final class RecentLookups<V> {
    private static final long KEEP_MILLIS = 2_000;
    private static final int MAX_ENTRIES = 10_000;

    private record Entry<V>(Optional<V> value, long loadedAt) {
    }

    private final Clock clock;
    private final Function<String, Optional<V>> load;
    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();

    public RecentLookups(Clock clock, Function<String, Optional<V>> load) {
        this.clock = clock;
        this.load = load;
    }

    public Optional<V> find(String key) {
        long now = clock.millis();
        Entry<V> entry = entries.get(key);
        if (entry != null && now - entry.loadedAt() < KEEP_MILLIS) {
            return entry.value();
        }
        Optional<V> value = load.apply(key);
        if (entries.size() > MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, now));
        return value;
    }

    public void forget(String key) {
        entries.remove(key);
    }
}
