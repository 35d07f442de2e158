package io.meshwork.proxy.health;

import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.runtime.RuntimeConfig;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxy.upstream.ClusterRuntime;
import io.meshwork.proxy.upstream.EndpointState;
import io.meshwork.proxyapi.HealthCheck;
import io.meshwork.proxyapi.Listener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs the active health checks this proxy owes: one per instance and listener of every virtual
 * node it calls whose listener declares a health check, and one per listener of its own app.
 * Once a second it reconciles the running checks with the configuration and the instances in
 * force; each check runs at its own interval. Everything happens on one event loop.
 */
public final class HealthChecks {
    /** What one running check is for; a changed health check configuration is a new check. */
    private record Key(String cluster, int listenerPort, InetSocketAddress target, HealthCheck check) {
    }

    private final EventLoop loop;
    private final HealthProbe probe;
    private final ClusterRegistry clusters;
    private final ActiveConfig active;
    private final String appAddress;
    private final ResilienceEvents events;
    private final Map<Key, ScheduledFuture<?>> running = new HashMap<>();
    /** The local app's verdict per listener port (only listeners with a health check appear). */
    private final Map<Integer, EndpointState> app = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, String> appProblems = new java.util.concurrent.ConcurrentHashMap<>();

    public HealthChecks(EventLoop loop, HealthProbe probe, ClusterRegistry clusters, ActiveConfig active, String appAddress,
                        ResilienceEvents events) {
        this.loop = loop;
        this.probe = probe;
        this.clusters = clusters;
        this.active = active;
        this.appAddress = appAddress;
        this.events = events;
    }

    public void start() {
        loop.scheduleWithFixedDelay(this::reconcile, 0, 1, TimeUnit.SECONDS);
    }

    /** Whether every listener of the local app passes its health check (true when none declares one). */
    public boolean appHealthy() {
        for (EndpointState s : app.values()) {
            if (!s.healthy()) {
                return false;
            }
        }
        return true;
    }

    /** Why the app is unhealthy, per listener port. */
    public Map<Integer, String> appProblems() {
        Map<Integer, String> out = new java.util.TreeMap<>();
        app.forEach((port, s) -> {
            if (!s.healthy()) {
                out.put(port, appProblems.getOrDefault(port, "failing"));
            }
        });
        return out;
    }

    void reconcile() {
        Set<Key> wanted = new HashSet<>();
        Map<Key, EndpointState> states = new HashMap<>();
        for (ClusterRuntime cluster : clusters.all().values()) {
            if (cluster.cluster() == null || cluster.cluster().listeners() == null) {
                continue;
            }
            for (Listener listener : cluster.cluster().listeners()) {
                HealthCheck check = listener.healthCheck();
                if (check == null) {
                    continue;
                }
                for (EndpointState endpoint : cluster.endpointStates(listener.port())) {
                    int port = check.port() != null ? check.port() : listener.port();
                    Key key = new Key(cluster.name(), listener.port(), new InetSocketAddress(endpoint.address().getAddress(), port), check);
                    wanted.add(key);
                    states.put(key, endpoint);
                }
            }
        }
        RuntimeConfig config = active.get();
        Set<Integer> appPorts = new HashSet<>();
        if (config != null && !config.snapshot().isGateway()) {
            for (Listener listener : config.listeners().values()) {
                HealthCheck check = listener.healthCheck();
                if (check == null) {
                    continue;
                }
                int port = check.port() != null ? check.port() : listener.port();
                Key key = new Key("local_app", listener.port(), new InetSocketAddress(appAddress, port), check);
                wanted.add(key);
                states.put(key, app.computeIfAbsent(listener.port(), p -> newAppState(key.target())));
                appPorts.add(listener.port());
            }
        }
        app.keySet().retainAll(appPorts);
        running.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().cancel(false);
                return true;
            }
            return false;
        });
        for (Key key : wanted) {
            if (!running.containsKey(key)) {
                EndpointState state = states.get(key);
                long interval = Math.max(1000, key.check().intervalMillis());
                // Spread the first checks over the interval, so that many instances are not checked at once.
                long first = ThreadLocalRandom.current().nextLong(Math.min(interval, 1000));
                running.put(key, loop.scheduleWithFixedDelay(() -> check(key, state), first, interval, TimeUnit.MILLISECONDS));
            }
        }
    }

    private static EndpointState newAppState(InetSocketAddress target) {
        return EndpointState.standalone(target);
    }

    private void check(Key key, EndpointState state) {
        HealthCheck check = key.check();
        probe.probe(key.target(), check).addListener(f -> {
            String problem = (String) f.getNow();
            boolean passed = problem == null;
            if ("local_app".equals(key.cluster()) && !passed) {
                appProblems.put(key.listenerPort(), check.protocol() + " health check of " + key.target() + ": " + problem);
            }
            if (state.healthCheck(passed, Math.max(1, check.healthyThreshold()), Math.max(1, check.unhealthyThreshold()))) {
                events.healthChanged(key.cluster(), state.address(), passed, passed ? "passing" : problem);
            }
        });
    }
}
