package io.meshwork.controlapi.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.annotation.Nullable;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the control API is configured with. Each property comes from the environment
 * variable named in DESIGN.md: {@code CONTROL_API_DATA_DIR} binds {@code control-api.data-dir}.
 */
@ConfigurationProperties("control-api")
public record ControlApiSettings(
        @Bindable(defaultValue = "./data") Path dataDir,
        @Nullable String jdbcUrl,
        @Nullable String jdbcUser,
        @Nullable String jdbcPassword,
        @Bindable(defaultValue = "us-east-1") String region,
        @Bindable(defaultValue = "000000000000") String accountId,
        @Nullable String rootAccessKeyId,
        @Nullable String rootSecretAccessKey,
        @Bindable(defaultValue = "meshwork.local") String trustDomain,
        /* Base64 of 32 random bytes; encrypts stored secrets. Generated into the data dir if unset. */
        @Nullable String encryptionKey,
        @Bindable(defaultValue = "15m") Duration maxClockSkew,
        @Bindable(defaultValue = "24h") Duration clientTokenRetention,
        @Bindable(defaultValue = "10") int jdbcPoolSize,
        /* How long a proxy stays registered (an endpoint of its node) without reporting. */
        @Bindable(defaultValue = "15s") Duration proxyRegistrationTtl) {

    public boolean usesPostgres() {
        return jdbcUrl != null && !jdbcUrl.isBlank();
    }

    /** Secrets stay out of any log line that prints the settings. */
    @Override
    public String toString() {
        return "ControlApiSettings[dataDir=" + dataDir + ", store=" + (usesPostgres() ? "postgresql" : "h2")
                + ", region=" + region + ", accountId=" + accountId + ", rootAccessKeyId=" + rootAccessKeyId
                + ", trustDomain=" + trustDomain + "]";
    }
}
