package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * What a proxy tells the control plane about itself ({@code PUT /meshwork/v1/proxies/{proxyId}}):
 * registration, heartbeat, acknowledgement and refusal in one message. Members a side does not
 * know are ignored, so either side can be upgraded first.
 *
 * @param resourceArn          the node or gateway it serves ({@code mesh/M/virtualNode/N} or a full ARN)
 * @param address              where it serves, registered as an endpoint of its node; null: not an endpoint
 * @param runningVersion       the snapshot version in force; null before it has one
 * @param rejectedVersion      the latest version it refused; null when it refused none since
 * @param rejectedReason       why
 * @param cloudMapRegistration the wish to be an instance of its node's Cloud Map service; null: none
 * @param healthy              its app's health (its local health check), for Cloud Map's custom health
 * @param ecsTaskArn           the ECS task it runs in (from the task metadata endpoint); null elsewhere.
 *                             The ECS task hook deregisters a stopping task's proxies by it.
 * @param traffic              its golden signals so far; null from proxies that do not send them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProxyReport(String resourceArn, String address, String runningVersion, String rejectedVersion,
                          String rejectedReason, CloudMapRegistration cloudMapRegistration, Boolean healthy,
                          String ecsTaskArn, TrafficReport traffic) {
    /** Extra attributes of the Cloud Map instance (the AWS_INSTANCE_* ones come from the address and listener). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CloudMapRegistration(Map<String, String> attributes) {
    }

    /** The control plane's answer: how long the registration lasts without another report. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Accepted(long expiresInMillis) {
    }
}
