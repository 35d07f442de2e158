package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An upstream virtual node: how to find its instances and how to treat them.
 *
 * @param name      the virtual node's name
 * @param listeners its listeners (ports, protocols, health checks, outlier detection)
 * @param discovery its service discovery, resolved by the calling proxy (DNS) or by the control plane
 * @param endpoints instances known to the control plane: registered proxies of the node, Cloud Map
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cluster(String name, List<Listener> listeners, Discovery discovery, List<Endpoint> endpoints) {
}
