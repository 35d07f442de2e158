package io.meshwork.lambdahooks.ecs;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import java.util.Map;

/**
 * The parts of an "ECS Task State Change" event the hook needs (its {@code detail}). ECS sends
 * several per task: desired STOPPED comes first (the task is being stopped: by a deployment, a
 * scale-in, a failed health check), last status STOPPED at the end; either means its proxies
 * must go.
 */
record TaskStateChange(String taskArn, String lastStatus, String desiredStatus) {
    static final String DETAIL_TYPE = "ECS Task State Change";

    /** Null when the event is not a task state change with a task ARN. */
    static TaskStateChange of(ScheduledEvent event) {
        if (event == null || !"aws.ecs".equals(event.getSource()) || !DETAIL_TYPE.equals(event.getDetailType())) {
            return null;
        }
        Map<String, Object> detail = event.getDetail();
        Object arn = detail == null ? null : detail.get("taskArn");
        if (!(arn instanceof String taskArn) || !taskArn.startsWith("arn:")) {
            return null;
        }
        return new TaskStateChange(taskArn, String.valueOf(detail.get("lastStatus")), String.valueOf(detail.get("desiredStatus")));
    }

    boolean stopping() {
        return "STOPPED".equals(desiredStatus) || "STOPPED".equals(lastStatus) || "DEPROVISIONING".equals(lastStatus);
    }
}
