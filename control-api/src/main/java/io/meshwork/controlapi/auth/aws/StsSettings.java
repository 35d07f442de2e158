package io.meshwork.controlapi.auth.aws;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * Where the control API sends the GetCallerIdentity requests of AWS logins:
 * {@code CONTROL_API_STS_ENDPOINT} (default {@code https://sts.<CONTROL_API_REGION>.amazonaws.com},
 * the regional endpoint) and {@code CONTROL_API_STS_REGION} (the region callers sign for;
 * default {@code CONTROL_API_REGION}). An override such as moto_server in tests takes both.
 */
@ConfigurationProperties("control-api.sts")
public record StsSettings(@Nullable String endpoint, @Nullable String region) {
}
