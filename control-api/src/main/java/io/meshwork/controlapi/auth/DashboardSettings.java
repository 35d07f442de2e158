package io.meshwork.controlapi.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * The dashboard's sign-in: {@code CONTROL_API_DASHBOARD_SIGN_IN_LIFETIME}, how long the one-time
 * token in a sign-in URL lasts (60s), and {@code CONTROL_API_DASHBOARD_SESSION_DURATION}, how long
 * the session it becomes lasts (1h).
 */
@ConfigurationProperties("control-api.dashboard")
public record DashboardSettings(@Bindable(defaultValue = "60s") Duration signInLifetime,
                                @Bindable(defaultValue = "1h") Duration sessionDuration) {
}
