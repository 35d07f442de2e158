package io.meshwork.controlapi.cloudmap;

import com.fasterxml.jackson.core.type.TypeReference;
import io.meshwork.cloudmap.discovery.CloudMapQuery;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.store.CloudMapStore;
import io.meshwork.controlapi.store.CloudMapStore.NodeRef;
import io.meshwork.controlapi.store.CloudMapStore.Registration;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ProxyStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proxies that asked to be registered in Cloud Map (PROXY_CLOUDMAP_REGISTER=true), for EC2
 * instances and ECS tasks without ECS-managed registration. While such a proxy is registered
 * with the control plane and its node is discovered through Cloud Map, it is an instance of the
 * node's Cloud Map service: instance id = proxy id, AWS_INSTANCE_IPV4 (or _IPV6) = its address,
 * AWS_INSTANCE_PORT = the node's first listener port, plus the node's filter attributes (so the
 * node finds it) and the proxy's own. Its app's health goes to the service's custom health
 * check. When the proxy deregisters or its registration expires, so does the instance.
 */
@Singleton
public final class CloudMapRegistrations {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapRegistrations.class);
    private static final TypeReference<Map<String, String>> ATTRIBUTES = new TypeReference<>() {
    };

    private final Database database;
    private final CloudMapStore store;
    private final ProxyStore proxies;
    private final CloudMapTargets targets;
    private final AtomicLong calls = new AtomicLong();
    private final Set<String> warned = new HashSet<>();

    CloudMapRegistrations(Database database, CloudMapStore store, ProxyStore proxies, CloudMapTargets targets) {
        this.database = database;
        this.store = store;
        this.proxies = proxies;
        this.targets = targets;
    }

    /** A proxy's report asks for registration with these extra attributes; {@code healthy} is its app's health. */
    public void requested(String proxyId, Map<String, String> attributes, boolean healthy) {
        String json = StrictJson.write(StrictJson.mapper().valueToTree(new TreeMap<>(attributes)));
        database.inTransaction(c -> {
            store.requestRegistration(c, proxyId, json, healthy);
            return null;
        });
    }

    /** A proxy's report no longer asks for registration: what was registered for it is removed at the next poll. */
    public void withdrawn(String proxyId) {
        database.inTransaction(c -> {
            store.withdraw(c, proxyId);
            return null;
        });
    }

    long calls() {
        return calls.get();
    }

    void sync(Map<NodeRef, CloudMapQuery> nodes, CloudMapRegistrar registrar) {
        List<Registration> wanted = database.inTransaction(store::registrations);
        if (wanted.isEmpty()) {
            return;
        }
        Map<String, ProxyStore.Row> live = new HashMap<>();
        for (ProxyStore.Row row : database.inTransaction(c -> proxies.all(c, null))) {
            live.put(row.proxyId(), row);
        }
        for (Registration r : wanted) {
            try {
                syncOne(r, live.get(r.proxyId()), nodes, registrar);
                warned.remove(r.proxyId());
            } catch (SdkException | IllegalArgumentException e) {
                if (warned.add(r.proxyId())) {
                    LOG.warn("Cloud Map registration of proxy {} failed, retrying every poll: {}", r.proxyId(), e.getMessage());
                }
            }
        }
    }

    private void syncOne(Registration r, ProxyStore.Row proxy, Map<NodeRef, CloudMapQuery> nodes, CloudMapRegistrar registrar) {
        NodeRef node = proxy == null ? null : new NodeRef(proxy.mesh(), proxy.resourceName());
        CloudMapQuery query = node == null || proxy.address() == null || !"virtualNode".equals(proxy.resourceKind()) ? null : nodes.get(node);
        boolean wants = query != null && !r.attributesJson().isEmpty();
        if (!wants) {
            if (r.registeredService() != null) {
                calls.incrementAndGet();
                registrar.deregister(service(r.registeredService()), r.proxyId());
                LOG.info("Cloud Map: deregistered proxy {} from {}", r.proxyId(), r.registeredService());
            }
            database.inTransaction(c -> {
                if (proxy == null) {
                    store.forget(c, r.proxyId());
                } else if (r.registeredService() != null) {
                    store.registered(c, r.proxyId(), null, null, null);
                }
                return null;
            });
            return;
        }
        Map<String, String> attributes = new TreeMap<>(StrictJson.mapper().convertValue(StrictJson.read(r.attributesJson()), ATTRIBUTES));
        attributes.putAll(query.attributes());
        attributes.put(proxy.address().contains(":") ? "AWS_INSTANCE_IPV6" : "AWS_INSTANCE_IPV4", proxy.address());
        Integer port = targets.firstListenerPort(node);
        if (port != null) {
            attributes.put("AWS_INSTANCE_PORT", String.valueOf(port));
        }
        String service = query.serviceName().toString();
        String key = service + " " + attributes;
        Boolean reported = r.reportedHealthy();
        if (!key.equals(r.registeredKey())) {
            if (r.registeredService() != null && !r.registeredService().equals(service)) {
                calls.incrementAndGet();
                registrar.deregister(service(r.registeredService()), r.proxyId());
            }
            calls.incrementAndGet();
            registrar.register(query.serviceName(), r.proxyId(), attributes);
            LOG.info("Cloud Map: registered proxy {} in {} at {}", r.proxyId(), service, proxy.address());
            reported = null;
        }
        if (!Objects.equals(reported, r.healthy())) {
            calls.incrementAndGet();
            registrar.reportHealth(query.serviceName(), r.proxyId(), r.healthy()); // false: no custom health check, nothing to tell
            reported = r.healthy();
        }
        Boolean finalReported = reported;
        if (!key.equals(r.registeredKey()) || !Objects.equals(finalReported, r.reportedHealthy())) {
            database.inTransaction(c -> {
                store.registered(c, r.proxyId(), service, key, finalReported);
                return null;
            });
        }
    }

    private static CloudMapQuery.ServiceName service(String stored) {
        int slash = stored.indexOf('/');
        return new CloudMapQuery.ServiceName(stored.substring(0, slash), stored.substring(slash + 1));
    }
}
