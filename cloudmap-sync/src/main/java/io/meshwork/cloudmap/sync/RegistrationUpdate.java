package io.meshwork.cloudmap.sync;

/**
 * What is now registered in Cloud Map for a proxy (service null: nothing); {@code forget} once
 * the proxy is gone and nothing is left registered for it.
 */
public record RegistrationUpdate(String proxyId, String registeredService, String registeredKey, Boolean reportedHealthy,
                                 boolean forget) {
}
