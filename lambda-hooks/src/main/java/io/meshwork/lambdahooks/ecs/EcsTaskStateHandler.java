package io.meshwork.lambdahooks.ecs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.meshwork.lambdahooks.HookEnvironment;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;

import io.meshwork.proxyapi.login.SignedControlApiClient;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * EventBridge's "ECS Task State Change" for a task told to stop: its proxies stop being
 * endpoints at once ({@code DELETE /meshwork/v1/proxies?ecsTaskArn=...}), instead of when their
 * registration would have expired, so callers stop picking a task that is going away.
 *
 * <p>Environment: {@code MESHWORK_ENDPOINT} (the control API), {@code AWS_REGION} (Lambda sets
 * it; the control API's region when that differs: {@code MESHWORK_REGION}). Credentials: the
 * function's role, logged in to the control API; it needs {@code meshwork:DeregisterProxy}
 * (terraform/modules/control-plane grants it). An answer the control API refuses throws, so
 * Lambda retries the event.
 */
public final class EcsTaskStateHandler implements RequestHandler<ScheduledEvent, String> {
    private final SignedControlApiClient controlApi;

    /** What Lambda's Java runtime calls: settings from the environment. */
    public EcsTaskStateHandler() {
        this(System.getenv());
    }

    EcsTaskStateHandler(Map<String, String> env) {
        this(env, null);
    }

    /** With credentials of the caller's choosing (another Lambda framework, tests); null: the function's role. */
    public EcsTaskStateHandler(Map<String, String> env, ControlApiCredentialsProvider credentials) {
        this.controlApi = HookEnvironment.of(env).client(credentials);
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        TaskStateChange change = TaskStateChange.of(event);
        if (change == null) {
            return log(context, "ignored: not an ECS Task State Change event");
        }
        if (!change.stopping()) {
            return log(context, "ignored: task " + change.taskArn() + " is " + change.lastStatus() + ", desired " + change.desiredStatus());
        }
        try {
            HttpResponse<byte[]> response = controlApi.send("DELETE", "/meshwork/v1/proxies?ecsTaskArn="
                    + SignedControlApiClient.encode(change.taskArn()), null, Duration.ofSeconds(10));
            String body = SnapshotJson.string(response.body());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the control API refused to deregister the proxies of " + change.taskArn() + ": "
                        + response.statusCode() + " " + body);
            }
            return log(context, "task " + change.taskArn() + " stopping: " + body);
        } catch (IOException e) {
            throw new IllegalStateException("the control API could not be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String log(Context context, String message) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(message + "\n");
        }
        return message;
    }
}
