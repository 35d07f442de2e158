package io.meshwork.cloudmap.sync;

import io.meshwork.cloudmap.discovery.CloudMapDiscovery;
import io.meshwork.cloudmap.discovery.CloudMapQuery;
import io.meshwork.cloudmap.discovery.DiscoveredEndpoint;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One round of Cloud Map sync, the same inside control-api and in the standalone process:
 * take the lease, read Cloud Map for the nodes that use it (revision-gated), hand the control
 * plane the nodes whose instances changed, and bring proxy registrations up to date.
 *
 * <p>Registration: while a proxy that asked is registered with the control plane and its node
 * is discovered through Cloud Map, it is an instance of the node's service: instance id = proxy
 * id, AWS_INSTANCE_IPV4 (or _IPV6) = its address, AWS_INSTANCE_PORT = the node's first listener
 * port, plus the node's filter attributes (so the node finds it) and the proxy's own. Its app's
 * health goes to the service's custom health check. When the proxy leaves, so does the instance.
 */
public final class CloudMapSyncLoop {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapSyncLoop.class);

    private final SyncPlane plane;
    private final CloudMapDiscovery discovery;
    private final CloudMapRegistrar registrar;
    /** What the control plane holds per node, as far as this syncer knows (cleared when it loses the lease). */
    private final Map<NodeRef, List<DiscoveredEndpoint>> written = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
    private final AtomicLong registrationCalls = new AtomicLong();
    private volatile boolean leader;
    private volatile long lastPollMillis;
    private volatile List<String> failing = List.of();

    public CloudMapSyncLoop(SyncPlane plane, CloudMapDiscovery discovery, CloudMapRegistrar registrar) {
        this.plane = plane;
        this.discovery = discovery;
        this.registrar = registrar;
    }

    public synchronized void pollOnce() {
        SyncWork work = plane.work();
        if (work.leader() != leader) {
            LOG.info(work.leader() ? "this syncer now polls Cloud Map" : "another syncer polls Cloud Map now");
            written.clear();
        }
        leader = work.leader();
        if (!leader) {
            return;
        }
        Set<CloudMapQuery> queries = new LinkedHashSet<>();
        work.nodes().forEach(n -> queries.add(n.query()));
        CloudMapDiscovery.Poll poll = discovery.poll(queries);
        Set<String> failed = new TreeSet<>();
        poll.failed().forEach(s -> failed.add(s.toString()));
        failing = List.copyOf(failed);

        Map<CloudMapQuery, List<DiscoveredEndpoint>> known = discovery.known();
        Map<NodeRef, List<DiscoveredEndpoint>> changed = new LinkedHashMap<>();
        Set<NodeRef> current = new HashSet<>();
        for (NodeTarget n : work.nodes()) {
            current.add(n.ref());
            List<DiscoveredEndpoint> found = known.get(n.query());
            if (found != null && !found.equals(written.get(n.ref()))) {
                changed.put(n.ref(), found); // never read (Cloud Map unreachable so far): nothing sent, what is stored stays
            }
        }
        written.keySet().retainAll(current);
        List<NodeInstances> endpoints = new ArrayList<>();
        changed.forEach((ref, found) -> endpoints.add(new NodeInstances(ref.mesh(), ref.node(), found)));
        List<RegistrationUpdate> updates = registrations(work);
        SyncResult result = new SyncResult(endpoints, updates);
        if (!result.isEmpty()) {
            plane.apply(result);
        }
        written.putAll(changed);
        lastPollMillis = System.currentTimeMillis();
    }

    public boolean leader() {
        return leader;
    }

    public long lastPollMillis() {
        return lastPollMillis;
    }

    /** Services that could not be read in the last poll ("namespace/service"). */
    public List<String> failingServices() {
        return failing;
    }

    public long discoveryCalls() {
        return discovery.calls();
    }

    public long calls() {
        return discovery.calls() + registrationCalls.get();
    }

    /** Gives the lease up (if held) and stops reading Cloud Map. */
    public void release() {
        try {
            if (leader) {
                plane.release();
                leader = false;
            }
        } finally {
            discovery.close();
        }
    }

    private List<RegistrationUpdate> registrations(SyncWork work) {
        if (work.registrations().isEmpty()) {
            return List.of();
        }
        Map<NodeRef, NodeTarget> nodes = new HashMap<>();
        work.nodes().forEach(n -> nodes.put(n.ref(), n));
        List<RegistrationUpdate> updates = new ArrayList<>();
        for (RegistrationView r : work.registrations()) {
            try {
                RegistrationUpdate u = register(r, nodes.get(new NodeRef(r.mesh(), r.node())));
                if (u != null) {
                    updates.add(u);
                }
                warned.remove(r.proxyId());
            } catch (SdkException e) {
                if (warned.add(r.proxyId())) {
                    LOG.warn("Cloud Map registration of proxy {} failed, retrying every poll: {}", r.proxyId(), e.getMessage());
                }
            }
        }
        return updates;
    }

    /** Brings one proxy's registration in line; the bookkeeping to store, or null when nothing changed. */
    private RegistrationUpdate register(RegistrationView r, NodeTarget node) {
        boolean wants = r.wanted() && r.address() != null && node != null;
        if (!wants) {
            if (r.registeredService() != null) {
                registrationCalls.incrementAndGet();
                registrar.deregister(service(r.registeredService()), r.proxyId());
                LOG.info("Cloud Map: deregistered proxy {} from {}", r.proxyId(), r.registeredService());
            }
            if (r.address() == null) {
                return new RegistrationUpdate(r.proxyId(), null, null, null, true);
            }
            return r.registeredService() == null ? null : new RegistrationUpdate(r.proxyId(), null, null, null, false);
        }
        Map<String, String> attributes = new TreeMap<>(r.attributes());
        attributes.putAll(node.query().attributes());
        attributes.put(r.address().contains(":") ? "AWS_INSTANCE_IPV6" : "AWS_INSTANCE_IPV4", r.address());
        if (node.firstListenerPort() != null) {
            attributes.put("AWS_INSTANCE_PORT", String.valueOf(node.firstListenerPort()));
        }
        String service = node.query().serviceName().toString();
        String key = service + " " + attributes;
        Boolean reported = r.reportedHealthy();
        if (!key.equals(r.registeredKey())) {
            if (r.registeredService() != null && !r.registeredService().equals(service)) {
                registrationCalls.incrementAndGet();
                registrar.deregister(service(r.registeredService()), r.proxyId());
            }
            registrationCalls.incrementAndGet();
            registrar.register(node.query().serviceName(), r.proxyId(), attributes);
            LOG.info("Cloud Map: registered proxy {} in {} at {}", r.proxyId(), service, r.address());
            reported = null;
        }
        if (!Objects.equals(reported, r.healthy())) {
            registrationCalls.incrementAndGet();
            registrar.reportHealth(node.query().serviceName(), r.proxyId(), r.healthy()); // false: no custom health check to tell
            reported = r.healthy();
        }
        if (key.equals(r.registeredKey()) && Objects.equals(reported, r.reportedHealthy())) {
            return null;
        }
        return new RegistrationUpdate(r.proxyId(), service, key, reported, false);
    }

    private static CloudMapQuery.ServiceName service(String stored) {
        int slash = stored.indexOf('/');
        return new CloudMapQuery.ServiceName(stored.substring(0, slash), stored.substring(slash + 1));
    }
}
