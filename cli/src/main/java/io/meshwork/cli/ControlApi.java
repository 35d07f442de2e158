package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The control API's Meshwork endpoints, SigV4-signed with the caller's credentials: the standard
 * AWS chain (environment, profile, container and instance roles, logged in to the control API when
 * they are AWS's), or the named profile. Failures become one line saying what went wrong and
 * what to do about it.
 */
final class ControlApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI endpoint;
    private final SignedControlApiClient client;

    ControlApi(URI endpoint, String region, String profile) {
        this.endpoint = endpoint;
        AwsCredentialsProvider aws = profile == null ? DefaultCredentialsProvider.builder().build()
                : ProfileCredentialsProvider.create(profile);
        ControlApiCredentialsProvider credentials = ControlApiCredentialsProvider.builder().controlApi(endpoint)
                .awsCredentials(aws).build();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.client = new SignedControlApiClient(endpoint, region, credentials, http);
    }

    URI endpoint() {
        return endpoint;
    }

    JsonNode get(String pathAndQuery) {
        return call("GET", pathAndQuery, null);
    }

    JsonNode post(String path, String body) {
        return call("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode call(String method, String pathAndQuery, byte[] body) {
        HttpResponse<byte[]> response;
        try {
            response = client.send(method, pathAndQuery, body, TIMEOUT);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliException("cannot reach the control API at " + endpoint + " (" + describe(e) + ")",
                    "start it (bin/control-api) or point --endpoint-url / MESHWORK_ENDPOINT at it", Meshwork.FAILED);
        } catch (HttpTimeoutException e) {
            throw new CliException("the control API at " + endpoint + " did not answer within " + TIMEOUT.toSeconds() + " s",
                    "check its log and its store (GET /health)", Meshwork.FAILED);
        } catch (IOException e) {
            String what = describe(e);
            boolean credentials = what.contains("credentials") || what.contains("Unable to load");
            throw new CliException((credentials ? "no usable credentials: " : "calling the control API at " + endpoint + " failed: ") + what,
                    credentials ? "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile (a Meshwork key, or AWS credentials"
                            + " the control API accepts logins from)" : "check --endpoint-url / MESHWORK_ENDPOINT", Meshwork.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", null, Meshwork.FAILED);
        }
        JsonNode json;
        try {
            json = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(endpoint + " answered " + response.statusCode() + " with something that is not JSON: is it a"
                    + " Meshwork control API?", "check --endpoint-url / MESHWORK_ENDPOINT", Meshwork.FAILED);
        }
        int status = response.statusCode();
        if (status == 200) {
            return json;
        }
        String message = json.path("message").asText("HTTP " + status);
        if (status == 403) {
            boolean policy = message.contains("is not authorized to perform");
            throw new CliException("the control API refused the call: " + message, policy
                    ? "give the key a policy allowing that meshwork: action (docs/control-api.md), or use the root key"
                    : "check the credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, --profile), the region (--region) and the clock",
                    Meshwork.FAILED);
        }
        if (status == 404) {
            throw new CliException(message, null, Meshwork.FAILED);
        }
        throw new CliException("the control API answered " + status + ": " + message, "see its log for the request", Meshwork.FAILED);
    }

    private static String describe(Throwable e) {
        if (e instanceof ConnectException && (e.getMessage() == null || e.getMessage().isBlank())) {
            return "connection refused";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }
}
