package io.meshwork.lambdahooks;

import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import io.meshwork.proxyapi.login.SignedControlApiClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * What every hook reads from its function's environment: {@code MESHWORK_ENDPOINT} (the control
 * API), the region it signs for ({@code MESHWORK_REGION}, else Lambda's {@code AWS_REGION}), and
 * the credentials (the function's role, logged in to the control API, unless given).
 */
public record HookEnvironment(URI controlApi, String region, HttpClient http) {
    public static HookEnvironment of(Map<String, String> env) {
        String endpoint = env.get("MESHWORK_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalStateException("MESHWORK_ENDPOINT is not set: the control API's URL (terraform/modules/control-plane sets it)");
        }
        return new HookEnvironment(URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/"),
                env.getOrDefault("MESHWORK_REGION", env.getOrDefault("AWS_REGION", "us-east-1")),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build());
    }

    /** Signed calls to the control API; {@code credentials} null: the AWS chain's identity, logged in. */
    public SignedControlApiClient client(ControlApiCredentialsProvider credentials) {
        ControlApiCredentialsProvider login = credentials != null ? credentials
                : ControlApiCredentialsProvider.builder().controlApi(controlApi).build();
        return new SignedControlApiClient(controlApi, region, login, http);
    }
}
