package io.meshwork.lambdahooks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import io.meshwork.lambdahooks.cloudformation.AppMeshProvisioner;
import io.meshwork.lambdahooks.cloudformation.CfnResponse;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;

import java.time.Duration;
import java.util.Map;

/**
 * The CloudFormation custom-resource handler for the seven {@code Custom::Meshwork*} types: the
 * {@code AWS::AppMesh::*} resources of a template (or, through {@code MeshworkAspect}, of a CDK
 * app) made in Meshwork's control API instead of App Mesh.
 *
 * <p>Environment: {@code MESHWORK_ENDPOINT} (the control API), {@code AWS_REGION} (or
 * {@code MESHWORK_REGION}, the control API's). Credentials: the function's role, logged in to the
 * control API. Every event gets its answer PUT to CloudFormation (SUCCESS, or FAILED with a
 * reason); the handler returns normally after it, and throws only when the answer itself could
 * not be delivered, so that Lambda runs the event again.
 */
public final class CustomResourceHandler implements RequestHandler<CloudFormationCustomResourceEvent, Void> {
    /** Left of Lambda's time for the answer itself. */
    private static final long ANSWER_MILLIS = 12_000;

    private final AppMeshProvisioner provisioner;
    private final CfnResponse responses;

    /** What Lambda's Java runtime calls. */
    public CustomResourceHandler() {
        this(System.getenv(), null);
    }

    /** With credentials of the caller's choosing (null: the AWS chain's, logged in). */
    public CustomResourceHandler(Map<String, String> env, ControlApiCredentialsProvider credentials) {
        HookEnvironment environment = HookEnvironment.of(env);
        this.provisioner = new AppMeshProvisioner(environment.client(credentials));
        this.responses = new CfnResponse(environment.http());
    }

    @Override
    public Void handleRequest(CloudFormationCustomResourceEvent event, Context context) {
        byte[] answer;
        try {
            // Each call gets at most 10 s, and never more than what leaves time for the answer.
            long left = context == null ? 30_000 : context.getRemainingTimeInMillis() - ANSWER_MILLIS;
            Duration callTimeout = Duration.ofMillis(Math.max(1_000, Math.min(10_000, left)));
            AppMeshProvisioner.Outcome outcome = provisioner.handle(event, callTimeout);
            answer = CfnResponse.body(event, true, "OK", outcome.physicalResourceId(), outcome.data());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = failed(event, "interrupted");
        } catch (Exception e) {
            answer = failed(event, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        log(context, event.getRequestType() + " " + event.getLogicalResourceId() + " (" + event.getResourceType() + "): "
                + new String(answer, java.nio.charset.StandardCharsets.UTF_8));
        try {
            responses.send(event.getResponseUrl(), answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while answering CloudFormation", e);
        }
        return null;
    }

    /** A FAILED answer keeps the physical id CloudFormation knows (a failed create gets one that names nothing). */
    private static byte[] failed(CloudFormationCustomResourceEvent event, String reason) {
        String physicalId = event.getPhysicalResourceId() != null ? event.getPhysicalResourceId()
                : "meshwork-not-created-" + event.getRequestId();
        return CfnResponse.body(event, false, reason, physicalId, Map.of());
    }

    private static void log(Context context, String message) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(message + "\n");
        } else {
            System.out.println(message);
        }
    }
}
