package io.meshwork.proxy.upstream;

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
import java.util.Map;
import java.util.Set;
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

    /** Adds or updates a snapshot's clusters, keeping the state (resolution, balancing) of those that stay. */
    public void update(Iterable<Cluster> latest) {
        for (Cluster c : latest) {
            ClusterRuntime runtime = clusters.computeIfAbsent(c.name(),
                    name -> new ClusterRuntime(name, balancing, events, System::nanoTime));
            runtime.update(c);
            if (runtime.needsResolution()) {
                resolve(runtime);
            }
        }
    }

    /** Forgets clusters the configuration in force no longer uses. */
    public void retainOnly(Set<String> names) {
        clusters.keySet().retainAll(names);
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
