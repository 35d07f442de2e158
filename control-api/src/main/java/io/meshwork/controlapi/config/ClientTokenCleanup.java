package io.meshwork.controlapi.config;

import io.meshwork.controlapi.store.ClientTokenStore;
import io.meshwork.controlapi.store.Database;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Forgets clientTokens older than {@code control-api.client-token-retention} (a day by default). */
@Singleton
final class ClientTokenCleanup {
    private final Database database;
    private final ClientTokenStore tokens;
    private final ControlApiSettings settings;
    private final Clock clock;

    ClientTokenCleanup(Database database, ClientTokenStore tokens, ControlApiSettings settings, Clock clock) {
        this.database = database;
        this.tokens = tokens;
        this.settings = settings;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = "10m", initialDelay = "1m")
    void purge() {
        long cutoff = clock.millis() - settings.clientTokenRetention().toMillis();
        database.inTransaction(tx -> tokens.purgeOlderThan(tx, cutoff));
    }
}
