package io.meshwork.controlapi.support;

import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualNodeSpec;

/** Virtual node specs that App Mesh accepts, for tests that need a node but not a particular one. */
public final class NodeSpecs {
    private NodeSpecs() {
    }

    /** One HTTP listener on 8080, found by DNS at {@code hostname} (service discovery needs a listener). */
    public static void dns(VirtualNodeSpec.Builder spec, String hostname) {
        spec.listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname(hostname)));
    }
}
