package io.meshwork.controlapi.auth.aws;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;

/**
 * AWS logins: {@code CONTROL_API_AWS_LOGIN_SERVER_ID}, the host names clients reach this
 * control API by (comma-separated; a login must carry one of them in its signed
 * {@code X-Meshwork-Server-ID} header; unset, AWS logins are refused), and
 * {@code CONTROL_API_AWS_LOGIN_SESSION_DURATION}, how long the session credentials a login
 * hands out last (1h; 5s to 12h). {@code CONTROL_API_AWS_LOGIN_IAM_POLICIES=true} grants a role
 * without a mapping what its IAM policies allow ({@link IamPolicyGrants}); IAM is reached at
 * {@code CONTROL_API_AWS_LOGIN_IAM_ENDPOINT} (default: AWS's).
 */
@ConfigurationProperties("control-api.aws-login")
public record AwsLoginSettings(@Nullable List<String> serverId,
                               @Bindable(defaultValue = "1h") Duration sessionDuration,
                               @Bindable(defaultValue = "false") boolean iamPolicies,
                               @Nullable String iamEndpoint) {
}
