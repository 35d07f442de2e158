package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A virtual service this proxy may call, as clients address it: its name and, per port, the
 * protocol and the routes tried in order.
 *
 * @param name  the virtual service name (what clients put in Host/:authority)
 * @param ports one entry per listener of its provider (a router's listeners, or a node's)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualService(String name, List<ServicePort> ports) {
}
