package io.meshwork.controlapi.cloudmap;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Cloud Map settings: {@code CONTROL_API_CLOUDMAP_ENABLED}, {@code CONTROL_API_CLOUDMAP_ENDPOINT}
 * (an endpoint override, e.g. an emulator), {@code CONTROL_API_CLOUDMAP_POLL_INTERVAL}, and
 * {@code CONTROL_API_CLOUDMAP_HEALTH_REFRESH} (how often a service is re-read even when its
 * instances revision did not move, because health changes do not move it).
 */
@ConfigurationProperties("control-api.cloudmap")
public record CloudMapSettings(
        @Bindable(defaultValue = "false") boolean enabled,
        @Nullable String endpoint,
        @Bindable(defaultValue = "1s") Duration pollInterval,
        @Bindable(defaultValue = "10s") Duration healthRefresh) {

    /** A lease outlives a few missed polls, so a slow poll does not hand the work to another replica. */
    public Duration leaseDuration() {
        Duration three = pollInterval.multipliedBy(3);
        return three.compareTo(Duration.ofSeconds(5)) > 0 ? three : Duration.ofSeconds(5);
    }
}
