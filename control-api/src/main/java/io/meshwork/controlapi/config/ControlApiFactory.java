package io.meshwork.controlapi.config;

import io.meshwork.controlapi.auth.keys.SecretCipher;
import io.meshwork.controlapi.store.Database;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Wires the pieces that are not plain beans: the store, the clock, the secret cipher. */
@Factory
final class ControlApiFactory {
    @Singleton
    @Bean(preDestroy = "close")
    Database database(ControlApiSettings settings) {
        return Database.open(settings);
    }

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    SecretCipher secretCipher(ControlApiSettings settings, Database database) {
        return EncryptionKeys.cipher(settings, database);
    }
}
