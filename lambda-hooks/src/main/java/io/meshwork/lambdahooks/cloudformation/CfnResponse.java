package io.meshwork.lambdahooks.cloudformation;

import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.proxyapi.SnapshotJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The answer CloudFormation waits for: a PUT of {Status, Reason, PhysicalResourceId, StackId,
 * RequestId, LogicalResourceId, Data} to the event's pre-signed ResponseURL, with no Content-Type
 * (the URL's signature covers none), at most 4,096 bytes (the Reason is shortened to fit), and
 * tried again on a failure to connect or a 5xx.
 */
public final class CfnResponse {
    static final int MAX_BYTES = 4096;
    private static final int ATTEMPTS = 4;

    private final HttpClient http;

    public CfnResponse(HttpClient http) {
        this.http = http;
    }

    public static byte[] body(CloudFormationCustomResourceEvent event, boolean success, String reason, String physicalId,
                              Map<String, String> data) {
        ObjectNode body = SnapshotJson.mapper().createObjectNode();
        body.put("Status", success ? "SUCCESS" : "FAILED");
        body.put("Reason", reason);
        body.put("PhysicalResourceId", physicalId);
        body.put("StackId", event.getStackId());
        body.put("RequestId", event.getRequestId());
        body.put("LogicalResourceId", event.getLogicalResourceId());
        if (data != null && !data.isEmpty()) {
            ObjectNode d = body.putObject("Data");
            data.forEach(d::put);
        }
        byte[] bytes = json(body);
        if (bytes.length > MAX_BYTES) {
            int over = bytes.length - MAX_BYTES;
            String shorter = reason.length() > over + 20 ? reason.substring(0, reason.length() - over - 20) + " [...]" : "(reason too long)";
            body.put("Reason", shorter);
            bytes = json(body);
        }
        return bytes;
    }

    /** Delivers {@code body}; throws when every attempt failed (Lambda then runs the event again). */
    public void send(String responseUrl, byte[] body) throws InterruptedException {
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(responseUrl)).timeout(Duration.ofSeconds(10))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                if (response.statusCode() < 500) {
                    throw new IllegalStateException("CloudFormation's ResponseURL refused the answer: " + response.statusCode() + " "
                            + response.body());
                }
                last = new IOException("ResponseURL answered " + response.statusCode());
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200L << attempt);
        }
        throw new IllegalStateException("could not deliver the answer to CloudFormation after " + ATTEMPTS + " attempts: " + last, last);
    }

    private static byte[] json(ObjectNode body) {
        try {
            return SnapshotJson.mapper().writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
