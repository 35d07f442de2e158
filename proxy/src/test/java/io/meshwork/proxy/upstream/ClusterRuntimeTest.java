package io.meshwork.proxy.upstream;

import io.meshwork.proxy.upstream.LoadBalancing;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Discovery;
import io.meshwork.proxyapi.Endpoint;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** What a DNS answer means for a node's instances: App Mesh's responseType and ipPreference. */
class ClusterRuntimeTest {
    private static final List<InetAddress> ANSWER = List.of(ip("10.0.0.1"), ip("fd00::1"), ip("10.0.0.2"));

    @Test
    void loadBalancerResponseTypeUsesOneAddressEndpointsUsesEveryAddress() {
        assertEquals(List.of("10.0.0.1"), instances(dns("LOADBALANCER", "IPv4_PREFERRED"), ANSWER));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1"), instances(dns(null, null), ANSWER),
                "LOADBALANCER is the default, and with no ipPreference IPv6 comes first, as in App Mesh");
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "fd00:0:0:0:0:0:0:1"), instances(dns("ENDPOINTS", null), ANSWER));
    }

    @Test
    void ipPreferenceFiltersAndOrdersTheAnswer() {
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), instances(dns("ENDPOINTS", "IPv4_ONLY"), ANSWER));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1"), instances(dns("ENDPOINTS", "IPv6_ONLY"), ANSWER));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1"), instances(dns("LOADBALANCER", "IPv6_PREFERRED"), ANSWER));
        assertEquals(List.of("10.0.0.1"), instances(dns("LOADBALANCER", "IPv4_PREFERRED"), ANSWER));
    }

    @Test
    void registeredEndpointsAndResolvedAddressesAreInstancesRoundRobin() {
        ClusterRuntime runtime = new ClusterRuntime("web", LoadBalancing.ROUND_ROBIN, ResilienceEvents.NONE, System::nanoTime);
        runtime.update(new Cluster("web", List.of(), new Discovery(Discovery.DNS, "web.local", "ENDPOINTS", null),
                List.of(new Endpoint("127.0.0.5", 8080, "proxy"))));
        runtime.resolvedTo(List.of(ip("127.0.0.6")));
        List<InetSocketAddress> picks = List.of(runtime.pick(8080), runtime.pick(8080), runtime.pick(8080));
        assertEquals(java.util.Set.of(new InetSocketAddress(ip("127.0.0.5"), 8080), new InetSocketAddress(ip("127.0.0.6"), 8080)),
                java.util.Set.copyOf(picks.subList(0, 2)), "both instances take turns");
        assertEquals(picks.get(0), picks.get(2));
        runtime.resolvedTo(List.of());
        assertEquals(List.of(new InetSocketAddress(ip("127.0.0.5"), 8080)), runtime.endpoints(8080), "a name that stops resolving drops out");
    }

    private static List<String> instances(Discovery discovery, List<InetAddress> answer) {
        ClusterRuntime runtime = new ClusterRuntime("web");
        runtime.update(new Cluster("web", List.of(), discovery, List.of()));
        assertTrue(runtime.needsResolution());
        runtime.resolvedTo(answer);
        return runtime.endpoints(80).stream().map(a -> a.getAddress().getHostAddress()).sorted().collect(Collectors.toList());
    }

    private static Discovery dns(String responseType, String ipPreference) {
        return new Discovery(Discovery.DNS, "web.local", responseType, ipPreference);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
