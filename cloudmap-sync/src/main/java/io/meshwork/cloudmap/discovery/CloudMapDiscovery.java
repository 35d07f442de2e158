package io.meshwork.cloudmap.discovery;

import io.meshwork.cloudmap.discovery.CloudMapQuery.ServiceName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.DiscoverInstancesResponse;
import software.amazon.awssdk.services.servicediscovery.model.HealthStatusFilter;
import software.amazon.awssdk.services.servicediscovery.model.HttpInstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.ServiceNotFoundException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Finds the instances of virtual nodes' Cloud Map services, as App Mesh did: every listed
 * attribute must match (DiscoverInstances QueryParameters), and only healthy instances count
 * unless none are (HEALTHY_OR_ELSE_ALL).
 *
 * <p>Each poll asks DiscoverInstancesRevision once per service and re-reads the instances only
 * when the revision moved. Cloud Map does not move the revision on health changes, so a
 * service is also re-read every {@code healthRefresh} (default 10 s) whatever its revision.
 *
 * <p>A failed call changes nothing: the last instances found stay in place until a later poll
 * succeeds, so an outage of Cloud Map never empties a node. "Namespace/service not found" is
 * an answer, not an outage: such a node has no Cloud Map instances.
 */
public final class CloudMapDiscovery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapDiscovery.class);
    private static final int MAX_RESULTS = 1000; // DiscoverInstances' largest page (the default is 100)

    /** What one poll learned. */
    public record Poll(Map<CloudMapQuery, List<DiscoveredEndpoint>> changed, Set<ServiceName> failed) {
    }

    private final ServiceDiscoveryClient client;
    private final long healthRefreshNanos;
    private final LongSupplier nanoClock;
    private final Map<ServiceName, Long> revisions = new ConcurrentHashMap<>();
    private final Map<ServiceName, Long> readAt = new ConcurrentHashMap<>();
    private final Map<CloudMapQuery, List<DiscoveredEndpoint>> known = new ConcurrentHashMap<>();
    private final Set<ServiceName> failing = ConcurrentHashMap.newKeySet();
    /**
     * Services are read side by side: one after another, a poll of a few hundred services would
     * take longer than the poll interval at Cloud Map's ~10 ms per call.
     */
    private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "cloudmap-discovery");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong calls = new AtomicLong();

    public CloudMapDiscovery(ServiceDiscoveryClient client) {
        this(client, Duration.ofSeconds(10), System::nanoTime);
    }

    public CloudMapDiscovery(ServiceDiscoveryClient client, Duration healthRefresh, LongSupplier nanoClock) {
        this.client = client;
        this.healthRefreshNanos = healthRefresh.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Polls the services of {@code queries}; queries not asked for any more are forgotten. */
    public synchronized Poll poll(Collection<CloudMapQuery> queries) {
        known.keySet().retainAll(new HashSet<>(queries));
        Map<ServiceName, List<CloudMapQuery>> byService = new LinkedHashMap<>();
        for (CloudMapQuery q : queries) {
            byService.computeIfAbsent(q.serviceName(), k -> new ArrayList<>()).add(q);
        }
        revisions.keySet().retainAll(byService.keySet());
        readAt.keySet().retainAll(byService.keySet());
        Map<CloudMapQuery, List<DiscoveredEndpoint>> changed = new ConcurrentHashMap<>();
        Set<ServiceName> failed = ConcurrentHashMap.newKeySet();
        long now = nanoClock.getAsLong();
        List<Callable<Void>> tasks = new ArrayList<>();
        byService.forEach((service, serviceQueries) -> tasks.add(() -> {
            try {
                pollService(service, serviceQueries, now, changed);
                if (failing.remove(service)) {
                    LOG.info("Cloud Map service {} answers again", service);
                }
            } catch (SdkException e) {
                failed.add(service);
                if (failing.add(service)) {
                    LOG.warn("Cloud Map service {} could not be read, keeping its last known instances: {}", service, e.getMessage());
                }
            }
            return null;
        }));
        try {
            for (Future<Void> f : workers.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cloud Map poll failed", e.getCause());
        }
        failing.retainAll(byService.keySet());
        return new Poll(new LinkedHashMap<>(changed), new HashSet<>(failed));
    }

    /** The instances last found for each query still asked for. */
    public synchronized Map<CloudMapQuery, List<DiscoveredEndpoint>> known() {
        return Map.copyOf(known);
    }

    /** Stops the readers (the client is the caller's to close). */
    @Override
    public void close() {
        workers.shutdownNow();
    }

    /** Cloud Map API calls made so far (for metrics and the steady-state call rate). */
    public long calls() {
        return calls.get();
    }

    private void pollService(ServiceName service, List<CloudMapQuery> queries, long now,
                             Map<CloudMapQuery, List<DiscoveredEndpoint>> changed) {
        Long revision;
        try {
            calls.incrementAndGet();
            revision = client.discoverInstancesRevision(r -> r.namespaceName(service.namespace()).serviceName(service.service()))
                    .instancesRevision();
        } catch (NamespaceNotFoundException | ServiceNotFoundException e) {
            for (CloudMapQuery q : queries) {
                record(q, List.of(), changed);
            }
            revisions.remove(service);
            return;
        }
        Long readTime = readAt.get(service);
        boolean due = readTime == null || now - readTime >= healthRefreshNanos;
        boolean allKnown = queries.stream().allMatch(known::containsKey);
        if (allKnown && !due && Objects.equals(revisions.get(service), revision)) {
            return;
        }
        for (CloudMapQuery q : queries) {
            record(q, discover(q), changed);
        }
        revisions.put(service, revision);
        readAt.put(service, now);
    }

    private void record(CloudMapQuery q, List<DiscoveredEndpoint> found, Map<CloudMapQuery, List<DiscoveredEndpoint>> changed) {
        if (!found.equals(known.put(q, found))) {
            changed.put(q, found);
        }
    }

    private List<DiscoveredEndpoint> discover(CloudMapQuery q) {
        DiscoverInstancesResponse response;
        try {
            calls.incrementAndGet();
            response = client.discoverInstances(r -> r.namespaceName(q.namespace()).serviceName(q.service())
                    .queryParameters(q.attributes().isEmpty() ? null : q.attributes())
                    .healthStatus(HealthStatusFilter.HEALTHY_OR_ELSE_ALL)
                    .maxResults(MAX_RESULTS));
        } catch (NamespaceNotFoundException | ServiceNotFoundException e) {
            return List.of();
        }
        List<DiscoveredEndpoint> out = new ArrayList<>();
        for (HttpInstanceSummary i : response.instances()) {
            DiscoveredEndpoint e = endpoint(i, q.ipPreference());
            if (e != null) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(DiscoveredEndpoint::instanceId));
        return List.copyOf(out);
    }

    /** The address a proxy should use for an instance under the node's ipPreference, or null when it has none. */
    static DiscoveredEndpoint endpoint(HttpInstanceSummary i, String ipPreference) {
        Map<String, String> a = i.attributes();
        String v4 = blankToNull(a.get("AWS_INSTANCE_IPV4"));
        String v6 = blankToNull(a.get("AWS_INSTANCE_IPV6"));
        String address = switch (ipPreference == null ? "IPv4_PREFERRED" : ipPreference) {
            case "IPv4_ONLY" -> v4;
            case "IPv6_ONLY" -> v6;
            case "IPv6_PREFERRED" -> v6 != null ? v6 : v4;
            default -> v4 != null ? v4 : v6;
        };
        if (address == null) {
            return null;
        }
        return new DiscoveredEndpoint(i.instanceId(), address, port(a.get("AWS_INSTANCE_PORT")));
    }

    private static Integer port(String s) {
        try {
            int p = Integer.parseInt(s == null ? "" : s.trim());
            return p >= 1 && p <= 65535 ? p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
