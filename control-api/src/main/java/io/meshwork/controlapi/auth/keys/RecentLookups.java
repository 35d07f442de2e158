package io.meshwork.controlapi.auth.keys;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Lookups on the request path (a key, a mapping, a role's IAM policies) remembered for a while
 * (two seconds unless said otherwise), absent ones too: every signed request needs one, and a
 * change made elsewhere (another replica, IAM) reaches this one within that time ({@link #forget}
 * makes this replica's own changes count at once).
 * Bounded: past 10,000 entries it starts afresh.
 */
public final class RecentLookups<V> {
    private static final Duration DEFAULT_KEEP = Duration.ofSeconds(2);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry<V>(Optional<V> value, long loadedAt) {
    }

    private final Clock clock;
    private final long keepMillis;
    private final Function<String, Optional<V>> load;
    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();

    public RecentLookups(Clock clock, Function<String, Optional<V>> load) {
        this(clock, DEFAULT_KEEP, load);
    }

    /** Loading with what each {@link #find(String, Function)} says. */
    public RecentLookups(Clock clock, Duration keep) {
        this(clock, keep, key -> {
            throw new IllegalStateException("no loader for " + key);
        });
    }

    public RecentLookups(Clock clock, Duration keep, Function<String, Optional<V>> load) {
        this.clock = clock;
        this.keepMillis = keep.toMillis();
        this.load = load;
    }

    public Optional<V> find(String key) {
        return find(key, load);
    }

    /** The value for {@code key}, remembered or loaded by {@code load}. */
    public Optional<V> find(String key, Function<String, Optional<V>> load) {
        long now = clock.millis();
        Entry<V> entry = entries.get(key);
        if (entry != null && now - entry.loadedAt() < keepMillis) {
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
