package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One instance of a node: an address, and a port when the instance serves on another port than
 * the node's listener (Cloud Map's AWS_INSTANCE_PORT); null means the listener's own port.
 *
 * @param source where the control plane learned it: {@code proxy} (a registered proxy) or {@code cloudMap}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Endpoint(String address, Integer port, String source) {
}
