/**
 * AWS Lambda handlers that tie AWS events to the control API: {@code ecs} (ECS task state
 * changes deregister a stopping task's proxies).
 */
package io.meshwork.lambdahooks;
