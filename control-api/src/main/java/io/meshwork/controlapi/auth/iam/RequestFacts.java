package io.meshwork.controlapi.auth.iam;

/** What is being asked: an action such as {@code appmesh:CreateVirtualNode} on a resource ARN. */
public record RequestFacts(String action, String resourceArn) {
}
