package io.meshwork.controlapi.ca;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * {@code CONTROL_API_CA_KEY_ALGORITHM} (EC_P256, EC_P384 or RSA_2048: the CA keys),
 * {@code CONTROL_API_CA_LEAF_LIFETIME} (24h: workload certificates),
 * {@code CONTROL_API_CA_MESH_LIFETIME} (365d as 8760h), {@code CONTROL_API_CA_ROOT_LIFETIME} (87600h), and
 * {@code CONTROL_API_CA_PRIVATE_CA_ENDPOINT} (an AWS Private CA endpoint override, e.g. an emulator).
 */
@ConfigurationProperties("control-api.ca")
public record CaSettings(
        @Bindable(defaultValue = "EC_P256") KeyAlgorithm keyAlgorithm,
        @Bindable(defaultValue = "24h") Duration leafLifetime,
        @Bindable(defaultValue = "8760h") Duration meshLifetime,
        @Bindable(defaultValue = "87600h") Duration rootLifetime,
        @io.micronaut.core.annotation.Nullable String privateCaEndpoint) {
}
