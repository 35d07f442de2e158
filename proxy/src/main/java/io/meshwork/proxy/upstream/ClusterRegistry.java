package io.meshwork.proxy.upstream;

import io.meshwork.proxy.upstream.LoadBalancing;
import io.meshwork.proxy.change.PreparedChange;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxyapi.Cluster;
import io.netty.channel.EventLoop;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.ChannelFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * All upstream clusters of the current snapshot. Names that resolve through DNS are looked up
 * every second through Netty's resolver, whose cache keeps each answer for its record's TTL:
 * so the proxy sees a DNS change within the TTL (plus a second) and asks the server no more
 * often than the TTL allows.
 */
public final class ClusterRegistry {
    /** How upstream connections open TLS (set once at start; plaintext-only until then). */
    private volatile io.meshwork.proxy.tls.TlsContexts tls;

    public void tls(io.meshwork.proxy.tls.TlsContexts contexts) {
        this.tls = contexts;
    }

    public io.meshwork.proxy.tls.TlsContexts tls() {
        return tls;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRegistry.class);

    private final Map<String, ClusterRuntime> clusters = new ConcurrentHashMap<>();
    private final DnsNameResolver resolver;
    private final LoadBalancing balancing;
    private final ResilienceEvents events;

    public ClusterRegistry(EventLoop loop, ChannelFactory<? extends DatagramChannel> datagrams) {
        this(loop, datagrams, LoadBalancing.LEAST_REQUEST, ResilienceEvents.NONE);
    }

    public ClusterRegistry(EventLoop loop, ChannelFactory<? extends DatagramChannel> datagrams, LoadBalancing balancing,
                           ResilienceEvents events) {
        this.balancing = balancing;
        this.events = events;
        this.resolver = new DnsNameResolverBuilder(loop).datagramChannelFactory(datagrams).build();
        loop.scheduleWithFixedDelay(this::refresh, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * Prepares a snapshot's clusters without touching those in force: clusters that stay keep
     * their runtime (resolution results, ejections, health verdicts), new ones get a fresh one.
     * Committing adds the new and updates the kept ones; releasing forgets those the snapshot
     * no longer names.
     */
    public PreparedChange prepare(List<Cluster> snapshotClusters) {
        List<Cluster> latest = snapshotClusters == null ? List.of() : snapshotClusters;
        Map<String, ClusterRuntime> next = new LinkedHashMap<>();
        for (Cluster c : latest) {
            ClusterRuntime kept = clusters.get(c.name());
            next.put(c.name(), kept != null ? kept : new ClusterRuntime(c.name(), balancing, events, System::nanoTime));
        }
        return new PreparedChange() {
            @Override
            public void commit() {
                for (Cluster c : latest) {
                    ClusterRuntime runtime = next.get(c.name());
                    runtime.update(c);
                    clusters.put(c.name(), runtime);
                    if (runtime.needsResolution()) {
                        resolve(runtime);
                    }
                }
            }

            @Override
            public void releasePrevious() {
                clusters.keySet().retainAll(next.keySet());
            }

            @Override
            public void abort() {
                // nothing was in force; fresh runtimes hold no resources and are dropped with this object
            }
        };
    }

    public ClusterRuntime get(String name) {
        return clusters.get(name);
    }

    public Map<String, ClusterRuntime> all() {
        return clusters;
    }

    private void refresh() {
        clusters.values().forEach(c -> {
            c.tick();
            if (c.needsResolution()) {
                resolve(c);
            }
        });
    }

    private void resolve(ClusterRuntime cluster) {
        String host = cluster.dnsHostname();
        resolver.resolveAll(host).addListener(f -> {
            if (f.isSuccess()) {
                @SuppressWarnings("unchecked")
                java.util.List<InetAddress> found = (java.util.List<InetAddress>) f.getNow();
                cluster.resolvedTo(found);
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("resolving {} for {} failed: {}", host, cluster.name(), f.cause().toString());
            }
        });
    }

    public void close() {
        resolver.close();
    }
}
