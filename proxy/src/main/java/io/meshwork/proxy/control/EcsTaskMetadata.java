package io.meshwork.proxy.control;

import io.meshwork.proxyapi.SnapshotJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The ECS task this proxy runs in, from the task metadata endpoint ECS gives every container
 * ({@code ECS_CONTAINER_METADATA_URI_V4}/task, its {@code TaskARN}). Reported with every
 * registration so that the ECS task hook can deregister a stopping task's proxies at once.
 * Asked until it answers (the agent may not serve it in the first moment), then remembered.
 */
final class EcsTaskMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(EcsTaskMetadata.class);

    private final URI task;
    private final HttpClient http;
    private volatile String taskArn;
    private volatile boolean warned;

    EcsTaskMetadata(URI task, HttpClient http) {
        this.task = task;
        this.http = http;
    }

    /** The task metadata endpoint ECS names in the environment; null outside ECS; refused at start when malformed. */
    static URI endpoint(Map<String, String> env) {
        String base = env.get("ECS_CONTAINER_METADATA_URI_V4");
        return base == null || base.isBlank() ? null : URI.create(base.replaceAll("/+$", "") + "/task");
    }

    /** The task's ARN; null outside ECS or while the endpoint does not answer. */
    String taskArn() throws InterruptedException {
        if (taskArn != null || task == null) {
            return taskArn;
        }
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(task).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            Object arn = response.statusCode() == 200 ? SnapshotJson.readObject(response.body()).get("TaskARN") : null;
            if (arn instanceof String text && text.startsWith("arn:")) {
                taskArn = text;
                LOG.info("ECS task {}", taskArn);
            } else {
                warnOnce("answered " + response.statusCode() + " without a TaskARN");
            }
        } catch (IOException e) {
            warnOnce(e.toString());
        }
        return taskArn;
    }

    private void warnOnce(String what) {
        if (!warned) {
            warned = true;
            LOG.warn("the ECS task metadata endpoint {} {}: registering without the task (asking again with each report)", task, what);
        }
    }
}
