package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Everything one proxy needs, compiled from the mesh's resources for one virtual node or
 * virtual gateway: its inbound listeners, the virtual services it may call with their routes,
 * the upstream clusters those routes lead to, and (for gateways) the gateway routes.
 *
 * <p>{@code version} is a digest of the rest of the content: two snapshots with the same version
 * are the same configuration, whichever control-api replica compiled them.
 *
 * @param version        digest of the content (hex); identifies the configuration
 * @param revision       the mesh change sequence it was compiled at (for operators; not an identity)
 * @param mesh           mesh name
 * @param resourceKind   {@code virtualNode} or {@code virtualGateway}
 * @param resourceName   the node's or gateway's name
 * @param egressFilter   {@code DROP_ALL} or {@code ALLOW_ALL}
 * @param listeners      inbound listeners (node) or gateway listeners
 * @param services       virtual services this proxy routes to (node: its backends; gateway: route targets)
 * @param gatewayRoutes  the gateway's routes, most specific first (gateways only)
 * @param clusters       upstream virtual nodes, with endpoints, referenced by the routes
 * @param accessLog      where and how to write access logs; null for none
 * @param problems       what could not be compiled (e.g. a backend naming a missing service), for operators
 * @param clientTls      this proxy's client policy per upstream cluster (from its backends or backend defaults)
 * @param trustBundle    the trust domain's CA certificates (PEM) when the mesh uses TLS: what sds validation trusts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProxySnapshot(String version, long revision, String mesh, String resourceKind, String resourceName,
                            String egressFilter, List<Listener> listeners, List<VirtualService> services,
                            List<GatewayRoute> gatewayRoutes, List<Cluster> clusters, AccessLog accessLog,
                            List<String> problems, java.util.Map<String, Tls.Client> clientTls, String trustBundle) {
    public static final String VIRTUAL_NODE = "virtualNode";
    public static final String VIRTUAL_GATEWAY = "virtualGateway";

    public ProxySnapshot withVersion(String newVersion) {
        return new ProxySnapshot(newVersion, revision, mesh, resourceKind, resourceName, egressFilter, listeners,
                services, gatewayRoutes, clusters, accessLog, problems, clientTls, trustBundle);
    }

    public boolean isGateway() {
        return VIRTUAL_GATEWAY.equals(resourceKind);
    }
}
