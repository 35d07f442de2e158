package io.meshwork.proxy.upstream;

import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Discovery;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.Listener;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one upstream virtual node: its instances (registered endpoints plus what
 * its DNS name resolves to) and the round-robin position. It outlives snapshots that keep the
 * cluster, so resolution results and balancing state carry over a configuration change.
 */
public final class ClusterRuntime {
    private final String name;
    private volatile Cluster cluster;
    private volatile List<InetAddress> resolved = List.of();
    private volatile List<InetAddress> addresses = List.of();
    private final AtomicInteger next = new AtomicInteger();

    ClusterRuntime(String name) {
        this.name = name;
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
        Set<InetAddress> all = new LinkedHashSet<>();
        if (cluster != null && cluster.endpoints() != null) {
            for (Endpoint e : cluster.endpoints()) {
                try {
                    all.add(InetAddress.getByName(e.address()));
                } catch (UnknownHostException ignored) {
                    // an endpoint address that is not an IP literal and does not resolve is skipped
                }
            }
        }
        all.addAll(resolved);
        addresses = List.copyOf(all);
    }

    /** The instances serving {@code port}, as socket addresses. */
    public List<InetSocketAddress> endpoints(int port) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    /** The next instance in round-robin order, or null if the node has none. */
    public InetSocketAddress pick(int port) {
        List<InetAddress> current = addresses;
        if (current.isEmpty()) {
            return null;
        }
        int i = Math.floorMod(next.getAndIncrement(), current.size());
        return new InetSocketAddress(current.get(i), port);
    }

    /** The protocol the node's listener on {@code port} speaks ({@code http} if the node does not say). */
    public String protocol(int port) {
        Cluster c = cluster;
        if (c != null && c.listeners() != null) {
            for (Listener l : c.listeners()) {
                if (l.port() == port) {
                    return l.protocol();
                }
            }
        }
        return "http";
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
}
