package io.meshwork.controlapi.auth.aws;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What STS said about a login, remembered until the login itself would expire (its X-Amz-Date
 * plus the allowed age): the same signed request sent again (a client retrying after a lost
 * answer, a burst of replicas) is not sent to STS again. Only a byte-identical request hits,
 * so nothing STS did not see is believed. Bounded: past {@value #MAX_ENTRIES} entries the
 * expired ones go, and if that is not enough, all.
 */
final class VerifiedIdentities {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(StsCallerIdentity.CallerIdentity identity, long validUntilMillis) {
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    VerifiedIdentities(Clock clock) {
        this.clock = clock;
    }

    Optional<StsCallerIdentity.CallerIdentity> find(String digest) {
        Entry entry = entries.get(digest);
        if (entry == null) {
            return Optional.empty();
        }
        if (clock.millis() >= entry.validUntilMillis()) {
            entries.remove(digest, entry);
            return Optional.empty();
        }
        return Optional.of(entry.identity());
    }

    void remember(String digest, StsCallerIdentity.CallerIdentity identity, long validUntilMillis) {
        if (entries.size() >= MAX_ENTRIES) {
            long now = clock.millis();
            entries.values().removeIf(e -> now >= e.validUntilMillis());
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        entries.put(digest, new Entry(identity, validUntilMillis));
    }
}
