package io.meshwork.proxy.upstream;

import io.meshwork.proxy.upstream.LoadBalancing;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Discovery;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.OutlierDetection;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxy.resilience.RetryBudget;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The live state of one upstream virtual node: its instances (registered endpoints plus what
 * its DNS name resolves to), and per listener port an {@link Upstream} that balances over the
 * instances not ejected and not failing health checks. It outlives snapshots that keep the
 * cluster, so resolution results, ejections and health verdicts carry over a configuration change.
 */
public final class ClusterRuntime {
    private final String name;
    private final LoadBalancing balancing;
    private final ResilienceEvents events;
    private final LongSupplier nanoClock;
    private final RetryBudget budget;
    private final Map<Integer, PortUpstream> ports = new ConcurrentHashMap<>();
    /** The entry of {@link #ports} last asked for (entries are never replaced or removed). */
    private volatile PortUpstream lastPort;
    private volatile Cluster cluster;
    private volatile List<InetAddress> resolved = List.of();
    private volatile List<Instance> addresses = List.of();

    /**
     * An instance of the node: an address, and the port it registered in Cloud Map
     * (AWS_INSTANCE_PORT) or null. That port is used only when the node has a single listener;
     * with several listeners one registered port cannot say which of them it serves, so each
     * listener's own port is used, as App Mesh's Envoy did for every instance.
     */
    record Instance(InetAddress address, Integer port) {
    }

    ClusterRuntime(String name) {
        this(name, LoadBalancing.LEAST_REQUEST, ResilienceEvents.NONE, System::nanoTime);
    }

    ClusterRuntime(String name, LoadBalancing balancing, ResilienceEvents events, LongSupplier nanoClock) {
        this.name = name;
        this.balancing = balancing;
        this.events = events;
        this.nanoClock = nanoClock;
        this.budget = new RetryBudget(nanoClock);
    }

    public String name() {
        return name;
    }

    public Cluster cluster() {
        return cluster;
    }

    void update(Cluster latest) {
        this.cluster = latest;
        String host = dnsHostname();
        if (host != null && NetUtil.isValidIpV4Address(host) || host != null && NetUtil.isValidIpV6Address(host)) {
            resolved = List.of(literal(host));
        }
        recompute();
    }

    /** The DNS name to resolve, or null when the node is not discovered through DNS. */
    String dnsHostname() {
        Discovery d = cluster == null ? null : cluster.discovery();
        return d != null && Discovery.DNS.equals(d.type()) ? d.hostname() : null;
    }

    boolean needsResolution() {
        String host = dnsHostname();
        return host != null && !NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host);
    }

    void resolvedTo(List<InetAddress> found) {
        Discovery d = cluster.discovery();
        List<InetAddress> ordered = byPreference(found, d.ipPreference());
        resolved = "ENDPOINTS".equals(d.responseType()) ? ordered : ordered.isEmpty() ? List.of() : List.of(ordered.get(0));
        recompute();
    }

    private void recompute() {
        Set<Instance> all = new LinkedHashSet<>();
        boolean singleListener = cluster != null && cluster.listeners() != null && cluster.listeners().size() == 1;
        if (cluster != null && cluster.endpoints() != null) {
            for (Endpoint e : cluster.endpoints()) {
                try {
                    all.add(new Instance(InetAddress.getByName(e.address()), singleListener ? e.port() : null));
                } catch (UnknownHostException ignored) {
                    // an endpoint address that is not an IP literal and does not resolve is skipped
                }
            }
        }
        for (InetAddress a : resolved) {
            all.add(new Instance(a, null));
        }
        addresses = List.copyOf(all);
        ports.values().forEach(PortUpstream::rebuild);
    }

    /** The instances serving {@code port}, as socket addresses. */
    public List<InetSocketAddress> endpoints(int port) {
        // One instance can be known twice (its proxy registered, and Cloud Map lists it): one endpoint.
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (Instance a : addresses) {
            out.add(new InetSocketAddress(a.address(), a.port() != null ? a.port() : port));
        }
        return new ArrayList<>(out);
    }

    /** Once a second, from the registry. */
    void tick() {
        budget.tick();
    }

    public boolean hasEndpoints() {
        return !addresses.isEmpty();
    }

    /** The node's instances at {@code port}, with their state. */
    public Upstream port(int port) {
        // The last port asked for, checked first: no Integer box and no map lookup for the usual single port.
        PortUpstream last = lastPort;
        if (last != null && last.port == port) {
            return last;
        }
        PortUpstream upstream = ports.computeIfAbsent(port, PortUpstream::new);
        lastPort = upstream;
        return upstream;
    }

    /** Every instance state this proxy keeps, by port (for /clusters and health checks). */
    public Map<Integer, List<EndpointState>> states() {
        Map<Integer, List<EndpointState>> out = new java.util.TreeMap<>();
        ports.forEach((port, view) -> out.put(port, List.of(view.endpoints)));
        return out;
    }

    /** The instances at {@code port} with their state. */
    public List<EndpointState> endpointStates(int port) {
        return List.of(((PortUpstream) port(port)).endpoints);
    }

    /** The next instance for a new connection (TCP), or null if the node has none. */
    public InetSocketAddress pick(int port) {
        EndpointState e = port(port).pick(List.of());
        return e == null ? null : e.address();
    }

    /** The node's listener on {@code port}, or null. */
    public Listener listener(int port) {
        Cluster c = cluster;
        if (c != null && c.listeners() != null) {
            List<Listener> listeners = c.listeners();
            for (int i = 0; i < listeners.size(); i++) { // indexed: no iterator on the request path
                Listener l = listeners.get(i);
                if (l.port() == port) {
                    return l;
                }
            }
        }
        return null;
    }

    /** The protocol the node's listener on {@code port} speaks (http if the node does not say). */
    public Protocol protocol(int port) {
        Listener l = listener(port);
        return l == null ? Protocol.HTTP : l.protocol();
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByAddress(ip, NetUtil.createByteArrayFromIpAddressString(ip));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    static List<InetAddress> byPreference(List<InetAddress> found, String preference) {
        List<InetAddress> out = new ArrayList<>(found);
        if ("IPv4_ONLY".equals(preference)) {
            out.removeIf(a -> !(a instanceof Inet4Address));
        } else if ("IPv6_ONLY".equals(preference)) {
            out.removeIf(a -> !(a instanceof Inet6Address));
        } else if ("IPv6_PREFERRED".equals(preference)) {
            out.sort(Comparator.comparingInt(a -> a instanceof Inet6Address ? 0 : 1));
        } else if ("IPv4_PREFERRED".equals(preference)) {
            out.sort(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1));
        } else {
            // Unset: as App Mesh's Envoy did for DNS, IPv6 addresses first, then IPv4.
            out.sort(Comparator.comparingInt(a -> a instanceof Inet6Address ? 0 : 1));
        }
        return out;
    }

    /**
     * The instances at one port. Outlier detection as App Mesh configured Envoy's: after
     * {@code maxServerErrors} consecutive failures an instance is ejected for
     * {@code baseEjectionDuration} × the number of times it was ejected (that count decays by one
     * per {@code interval} it stays in), never more than {@code maxEjectionPercent} of the
     * instances but always at least one; it comes back on its own when the time is up.
     * An instance that refuses connections is set aside the same way ({@link ConnectFailureBackoff}).
     * If every instance is ejected, unhealthy or set aside, all are used (Envoy's panic mode) rather than none.
     */
    private final class PortUpstream implements Upstream {
        private static final long MAX_EJECTION_NANOS = TimeUnit.SECONDS.toNanos(300);
        private final int port;
        private final AtomicInteger turn = new AtomicInteger();
        private volatile EndpointState[] endpoints = new EndpointState[0];

        PortUpstream(int port) {
            this.port = port;
            rebuild();
        }

        /** New instance list; instances that stay keep their state. */
        synchronized void rebuild() {
            Map<InetSocketAddress, EndpointState> old = new java.util.HashMap<>();
            for (EndpointState e : endpoints) {
                old.put(e.address(), e);
            }
            List<InetSocketAddress> current = endpoints(port);
            EndpointState[] next = new EndpointState[current.size()];
            for (int i = 0; i < next.length; i++) {
                EndpointState kept = old.get(current.get(i));
                next[i] = kept != null ? kept : new EndpointState(current.get(i));
            }
            endpoints = next;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public RetryBudget budget() {
            return budget;
        }

        @Override
        public EndpointState pick(List<InetSocketAddress> tried) {
            EndpointState[] all = endpoints;
            if (all.length == 0) {
                return null;
            }
            long now = nanoClock.getAsLong();
            EndpointState chosen = choose(all, tried, now);
            if (chosen.connectBackedOff && !takeProbe(chosen, now)) {
                // Its time is up but another request took the probe meanwhile (or, in panic mode, it is set aside).
                List<InetSocketAddress> others = new ArrayList<>(tried);
                others.add(chosen.address());
                chosen = choose(all, others, now);
            }
            return chosen;
        }

        private EndpointState choose(EndpointState[] all, List<InetSocketAddress> tried, long now) {
            int usable = 0;
            for (EndpointState e : all) {
                if (usable(e, now) && !tried.contains(e.address())) {
                    usable++;
                }
            }
            if (usable == all.length) {
                return balancing.choose(all, all.length, turn);
            }
            EndpointState[] candidates = new EndpointState[all.length];
            int n = 0;
            for (EndpointState e : all) {
                if (usable(e, now) && !tried.contains(e.address())) {
                    candidates[n++] = e;
                }
            }
            if (n == 0) {
                // Nothing untried: an instance already tried is better than none.
                for (EndpointState e : all) {
                    if (usable(e, now)) {
                        candidates[n++] = e;
                    }
                }
            }
            if (n == 0) {
                // Panic mode: none is usable, so all are used, those not tried yet first.
                for (EndpointState e : all) {
                    if (!tried.contains(e.address())) {
                        candidates[n++] = e;
                    }
                }
                if (n == 0) {
                    return balancing.choose(all, all.length, turn);
                }
            }
            return balancing.choose(candidates, n, turn);
        }

        private boolean usable(EndpointState e, long now) {
            if (e.ejected && now - e.ejectedUntilNanos >= 0) {
                comeBack(e, now);
            }
            return !e.ejected && e.healthy() && connectable(e, now);
        }

        /** Not set aside for refusing connections; or its time is up and no probe is out. */
        private static boolean connectable(EndpointState e, long now) {
            if (!e.connectBackedOff) {
                return true;
            }
            return now - e.connectAgainAtNanos >= 0 && (!e.probing || now - e.probeUntilNanos >= 0);
        }

        /** The request that picked a set-aside instance whose time is up becomes its probe, if no other is. */
        private synchronized boolean takeProbe(EndpointState e, long now) {
            if (!e.connectBackedOff) {
                return true; // a connection opened meanwhile
            }
            if (!connectable(e, now)) {
                return false;
            }
            e.probing = true;
            e.probeUntilNanos = now + ConnectFailureBackoff.PROBE_NANOS;
            return true;
        }

        @Override
        public void connectOutcome(EndpointState e, boolean connected, int epoch) {
            if (connected) {
                if (e.connectFailures.get() != 0 || e.connectBackedOff) {
                    connectsAgain(e);
                }
                return;
            }
            if (epoch == e.connectEpoch && e.connectFailures.incrementAndGet() >= ConnectFailureBackoff.FAILURES) {
                backOff(e, epoch, nanoClock.getAsLong());
            }
        }

        private synchronized void backOff(EndpointState e, int epoch, long now) {
            if (epoch != e.connectEpoch || e.connectFailures.get() < ConnectFailureBackoff.FAILURES) {
                return; // set aside since that connection started, or one opened meanwhile
            }
            if (e.connectBackedOff(now)) {
                return; // set aside already (a connection made in panic mode failed)
            }
            EndpointState[] all = endpoints;
            int aside = 0;
            for (EndpointState other : all) {
                if (other != e && (other.ejected || other.connectBackedOff(now))) {
                    aside++;
                }
            }
            if (aside + 1 > all.length / 2) {
                // No more than half of the instances. It stays in rotation (a failed probe puts it back there),
                // and its count stays, so its next failure asks again.
                e.connectBackedOff = false;
                e.probing = false;
                return;
            }
            e.connectBackoffs++;
            long nanos = ConnectFailureBackoff.nanos(e.connectBackoffs);
            e.connectAgainAtNanos = now + nanos;
            e.probing = false;
            e.connectEpoch++;
            e.connectBackedOff = true;
            // The next connection, once the time is up, is the probe: one more failure sets it aside again.
            e.connectFailures.set(ConnectFailureBackoff.FAILURES - 1);
            events.connectsFailing(name, e.address(), TimeUnit.NANOSECONDS.toMillis(nanos), e.connectBackoffs);
        }

        private synchronized void connectsAgain(EndpointState e) {
            boolean wasBackedOff = e.connectBackoffs > 0;
            e.connectFailures.set(0);
            e.connectBackoffs = 0;
            e.connectBackedOff = false;
            e.probing = false;
            if (wasBackedOff) {
                events.connectsAgain(name, e.address());
            }
        }

        private synchronized void comeBack(EndpointState e, long now) {
            if (e.ejected && now - e.ejectedUntilNanos >= 0) {
                e.ejected = false;
                e.returnedAtNanos = now;
                e.consecutiveErrors.set(0);
                events.returned(name, e.address());
            }
        }

        @Override
        public void outcome(EndpointState e, boolean failed) {
            if (!failed) {
                if (e.consecutiveErrors.get() != 0) {
                    e.consecutiveErrors.set(0);
                }
                return;
            }
            Listener listener = listener(port);
            OutlierDetection rule = listener == null ? null : listener.outlierDetection();
            if (rule == null) {
                return;
            }
            if (e.consecutiveErrors.incrementAndGet() >= rule.maxServerErrors()) {
                eject(e, rule, nanoClock.getAsLong());
            }
        }

        private synchronized void eject(EndpointState e, OutlierDetection rule, long now) {
            if (e.ejected) {
                return;
            }
            EndpointState[] all = endpoints;
            int ejectedNow = 0;
            for (EndpointState other : all) {
                if (other.ejected && now - other.ejectedUntilNanos < 0) {
                    ejectedNow++;
                }
            }
            int allowed = Math.max(1, all.length * rule.maxEjectionPercent() / 100);
            if (ejectedNow >= allowed) {
                return;
            }
            long interval = TimeUnit.MILLISECONDS.toNanos(Math.max(1, rule.intervalMillis()));
            if (e.ejections > 0 && e.returnedAtNanos != 0) {
                e.ejections = (int) Math.max(0, e.ejections - (now - e.returnedAtNanos) / interval);
            }
            e.ejections++;
            long duration = Math.min(Math.max(MAX_EJECTION_NANOS, TimeUnit.MILLISECONDS.toNanos(rule.baseEjectionMillis())),
                    TimeUnit.MILLISECONDS.toNanos(rule.baseEjectionMillis()) * e.ejections);
            e.ejectedUntilNanos = now + duration;
            e.ejected = true;
            e.consecutiveErrors.set(0);
            events.ejected(name, e.address(), TimeUnit.NANOSECONDS.toMillis(duration), e.ejections);
        }
    }
}
