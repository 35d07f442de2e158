package io.meshwork.cloudmap.testing;

import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

/** Creates Cloud Map namespaces and services the way an operator would, for tests. */
public final class CloudMapFixtures {
    private CloudMapFixtures() {
    }

    /** Creates (or finds) an HTTP namespace and a service in it; returns the service id. */
    public static String service(ServiceDiscoveryClient client, String namespace, String service, boolean customHealth) {
        String namespaceId = client.listNamespaces().namespaces().stream().filter(n -> n.name().equals(namespace))
                .map(n -> n.id()).findFirst().orElse(null);
        if (namespaceId == null) {
            String operation = client.createHttpNamespace(r -> r.name(namespace).creatorRequestId(namespace)).operationId();
            namespaceId = client.getOperation(r -> r.operationId(operation)).operation().targetsAsStrings().get("NAMESPACE");
        }
        String nsId = namespaceId;
        return client.createService(r -> {
            r.name(service).namespaceId(nsId).creatorRequestId(namespace + "/" + service);
            if (customHealth) {
                r.healthCheckCustomConfig(h -> h.failureThreshold(1));
            }
        }).service().id();
    }
}
