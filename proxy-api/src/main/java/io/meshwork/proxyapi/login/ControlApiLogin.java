package io.meshwork.proxyapi.login;

import io.meshwork.proxyapi.AwsLogin;
import io.meshwork.proxyapi.SnapshotJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The two calls of a login: where to sign for, and the exchange of the signed request for a session. */
final class ControlApiLogin {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final URI controlApi;
    // Made at the first login: a Meshwork key from the chain never logs in, and each client has a selector thread.
    private HttpClient http;

    ControlApiLogin(URI controlApi) {
        this.controlApi = controlApi;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = ControlApiHttpClient.create(controlApi);
        }
        return http;
    }

    AwsLogin.Parameters parameters() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http().send(HttpRequest.newBuilder(controlApi.resolve(AwsLogin.PATH)).timeout(TIMEOUT)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        return answer(response, AwsLogin.Parameters.class);
    }

    AwsLogin.Session login(AwsLogin login) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http().send(HttpRequest.newBuilder(controlApi.resolve(AwsLogin.PATH)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(SnapshotJson.writeMessage(login))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return answer(response, AwsLogin.Session.class);
    }

    private static <T> T answer(HttpResponse<byte[]> response, Class<T> type) throws IOException {
        if (response.statusCode() != 200) {
            throw new LoginRefusedException(response.statusCode(), response.statusCode() + " "
                    + response.headers().firstValue("x-amzn-ErrorType").orElse("") + ": " + message(response.body()));
        }
        return SnapshotJson.readMessage(response.body(), type);
    }

    /** The App Mesh error's message, or the body as it came when it is not one. */
    private static String message(byte[] body) {
        try {
            Object message = SnapshotJson.readObject(body).get("message");
            if (message != null) {
                return message.toString();
            }
        } catch (IOException notJson) {
            // fall through to the raw text
        }
        String text = SnapshotJson.string(body);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
