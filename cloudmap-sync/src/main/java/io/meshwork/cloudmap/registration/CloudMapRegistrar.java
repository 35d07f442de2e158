package io.meshwork.cloudmap.registration;

import io.meshwork.cloudmap.discovery.CloudMapQuery.ServiceName;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.CustomHealthNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.CustomHealthStatus;
import software.amazon.awssdk.services.servicediscovery.model.FilterCondition;
import software.amazon.awssdk.services.servicediscovery.model.InstanceNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceFilterName;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceSummary;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceType;
import software.amazon.awssdk.services.servicediscovery.model.RecordType;
import software.amazon.awssdk.services.servicediscovery.model.RoutingPolicy;
import software.amazon.awssdk.services.servicediscovery.model.ServiceFilterName;
import software.amazon.awssdk.services.servicediscovery.model.ServiceNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.ServiceSummary;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers workloads in Cloud Map the way ECS service discovery and App Mesh's controllers did:
 * RegisterInstance with AWS_INSTANCE_IPV4/IPV6/PORT plus the node's own attributes,
 * DeregisterInstance when the workload goes away, and UpdateInstanceCustomHealthStatus from its
 * proxy's health checks (for services created with a custom health check).
 */
public final class CloudMapRegistrar {
    private final ServiceDiscoveryClient client;
    private final Map<ServiceName, String> serviceIds = new ConcurrentHashMap<>();

    public CloudMapRegistrar(ServiceDiscoveryClient client) {
        this.client = client;
    }

    /** Registers (or re-registers, replacing attributes) one instance. */
    public void register(ServiceName service, String instanceId, Map<String, String> attributes) {
        String id = serviceId(service);
        try {
            client.registerInstance(r -> r.serviceId(id).instanceId(instanceId).attributes(attributes));
        } catch (ServiceNotFoundException e) {
            serviceIds.remove(service);
            throw e;
        }
    }

    /** Deregisters one instance; one that is already gone is fine. */
    public void deregister(ServiceName service, String instanceId) {
        try {
            String id = serviceId(service);
            client.deregisterInstance(r -> r.serviceId(id).instanceId(instanceId));
        } catch (InstanceNotFoundException | ServiceNotFoundException e) {
            // nothing left to remove
        }
    }

    /**
     * Reports an instance's health to a custom health check.
     *
     * @return false when the service has no custom health check (nothing to report to)
     */
    public boolean reportHealth(ServiceName service, String instanceId, boolean healthy) {
        String id = serviceId(service);
        try {
            client.updateInstanceCustomHealthStatus(r -> r.serviceId(id).instanceId(instanceId)
                    .status(healthy ? CustomHealthStatus.HEALTHY : CustomHealthStatus.UNHEALTHY));
            return true;
        } catch (CustomHealthNotFoundException e) {
            return false;
        }
    }

    /**
     * The id of the service, created first when the namespace has none of that name, as App Mesh's
     * Kubernetes controller did: in a DNS namespace with a multivalue A record (TTL 300 s), and in
     * either kind with a custom health check so instances can be marked unhealthy.
     */
    public String ensureService(ServiceName service, String creatorRequestId) {
        try {
            return serviceId(service);
        } catch (ServiceNotFoundException e) {
            NamespaceSummary ns = namespace(service);
            boolean dns = ns.type() != NamespaceType.HTTP;
            String id = client.createService(r -> {
                r.name(service.service()).namespaceId(ns.id()).creatorRequestId(creatorRequestId)
                        .healthCheckCustomConfig(h -> h.failureThreshold(1));
                if (dns) {
                    r.dnsConfig(d -> d.routingPolicy(RoutingPolicy.MULTIVALUE).dnsRecords(rec -> rec.type(RecordType.A).ttl(300L)));
                }
            }).service().id();
            serviceIds.put(service, id);
            return id;
        }
    }

    private NamespaceSummary namespace(ServiceName service) {
        for (NamespaceSummary ns : client.listNamespacesPaginator(r -> r.filters(f -> f.name(NamespaceFilterName.NAME)
                .values(service.namespace()).condition(FilterCondition.EQ))).stream().flatMap(p -> p.namespaces().stream()).toList()) {
            if (ns.name().equals(service.namespace())) {
                return ns;
            }
        }
        throw ServiceNotFoundException.builder().message("no Cloud Map namespace named " + service.namespace()).build();
    }

    /** The id of a service named in a namespace, looked up once (names are what App Mesh specs hold, the API wants ids). */
    public String serviceId(ServiceName service) {
        String cached = serviceIds.get(service);
        if (cached != null) {
            return cached;
        }
        String nsId = namespace(service).id();
        for (ServiceSummary s : client.listServicesPaginator(r -> r.filters(f -> f.name(ServiceFilterName.NAMESPACE_ID)
                .values(nsId).condition(FilterCondition.EQ))).stream().flatMap(p -> p.services().stream()).toList()) {
            // The summary does not carry the namespace; an endpoint that ignores the filter is caught here.
            if (s.name().equals(service.service()) && nsId.equals(client.getService(r -> r.id(s.id())).service().namespaceId())) {
                serviceIds.put(service, s.id());
                return s.id();
            }
        }
        throw ServiceNotFoundException.builder().message("no Cloud Map service " + service).build();
    }
}
