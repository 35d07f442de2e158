package io.meshwork.proxy.upstream;

import io.meshwork.proxy.upstream.LoadBalancing;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Discovery;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.OutlierDetection;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.meshwork.proxy.upstream.Picks.find;
import static io.meshwork.proxy.upstream.Picks.picked;
import static org.junit.jupiter.api.Assertions.*;

/** Outlier detection as App Mesh configured it, on a virtual clock. */
class OutlierEjectionTest {
    private final AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final List<String> log = new ArrayList<>();
    private final ResilienceEvents events = new ResilienceEvents() {
        @Override
        public void ejected(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
            log.add("ejected " + endpoint.getAddress().getHostAddress() + " for " + forMillis + " (#" + times + ")");
        }

        @Override
        public void returned(String cluster, InetSocketAddress endpoint) {
            log.add("returned " + endpoint.getAddress().getHostAddress());
        }
    };

    private Upstream upstream(int maxEjectionPercent, String... addresses) {
        ClusterRuntime runtime = new ClusterRuntime("api", LoadBalancing.ROUND_ROBIN, events, clock::get);
        List<Endpoint> endpoints = new ArrayList<>();
        for (String a : addresses) {
            endpoints.add(new Endpoint(a, 8080, "proxy"));
        }
        runtime.update(new Cluster("api", List.of(new Listener(8080, Protocol.HTTP, null, null, null,
                new OutlierDetection(3, 10_000, 30_000, maxEjectionPercent), null)), new Discovery(Discovery.NONE, null, null, null),
                endpoints));
        return runtime.port(8080);
    }

    @Test
    void consecutiveServerErrorsEjectAnInstanceUntilBaseEjectionDurationPasses() {
        Upstream upstream = upstream(50, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        EndpointState bad = find(upstream, "10.0.0.2");
        upstream.outcome(bad, true);
        upstream.outcome(bad, true);
        upstream.outcome(bad, false);
        upstream.outcome(bad, true);
        upstream.outcome(bad, true);
        assertFalse(bad.ejected(), "a success in between resets the count");
        upstream.outcome(bad, true);
        assertTrue(bad.ejected());
        assertEquals(List.of("ejected 10.0.0.2 for 30000 (#1)"), log);
        assertEquals(Set.of("10.0.0.1", "10.0.0.3"), picked(upstream, 30));

        clock.addAndGet(TimeUnit.SECONDS.toNanos(29));
        assertFalse(picked(upstream, 30).contains("10.0.0.2"));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertTrue(picked(upstream, 30).contains("10.0.0.2"), "back after baseEjectionDuration");
        assertEquals("returned 10.0.0.2", log.get(1));

        for (int i = 0; i < 3; i++) {
            upstream.outcome(bad, true);
        }
        assertEquals("ejected 10.0.0.2 for 60000 (#2)", log.get(2), "a repeat offender stays out longer");
    }

    @Test
    void neverMoreThanMaxEjectionPercentButAlwaysAtLeastOne() {
        Upstream upstream = upstream(10, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        EndpointState one = find(upstream, "10.0.0.1");
        EndpointState two = find(upstream, "10.0.0.2");
        for (int i = 0; i < 3; i++) {
            upstream.outcome(one, true);
            upstream.outcome(two, true);
        }
        assertTrue(one.ejected(), "10 % of three instances is none, but one may always go");
        assertFalse(two.ejected(), "a second would exceed maxEjectionPercent");
        assertEquals(Set.of("10.0.0.2", "10.0.0.3"), picked(upstream, 30));
    }

    @Test
    void retriesAvoidInstancesAlreadyTriedWhileOthersAreAvailable() {
        Upstream upstream = upstream(50, "10.0.0.1", "10.0.0.2");
        EndpointState first = upstream.pick(List.of());
        for (int i = 0; i < 10; i++) {
            assertNotEquals(first.address(), upstream.pick(List.of(first.address())).address());
        }
        EndpointState second = upstream.pick(List.of(first.address()));
        assertNotNull(upstream.pick(List.of(first.address(), second.address())), "with all tried, one is reused");
    }

    @Test
    void leastRequestAvoidsABusyInstance() {
        ClusterRuntime runtime = new ClusterRuntime("api", LoadBalancing.LEAST_REQUEST, events, clock::get);
        runtime.update(new Cluster("api", List.of(new Listener(8080, Protocol.HTTP, null, null, null, null, null)),
                new Discovery(Discovery.NONE, null, null, null),
                List.of(new Endpoint("10.0.0.1", 8080, "proxy"), new Endpoint("10.0.0.2", 8080, "proxy"))));
        Upstream upstream = runtime.port(8080);
        EndpointState busy = find(upstream, "10.0.0.1");
        for (int i = 0; i < 50; i++) {
            busy.attemptStarted();
        }
        assertEquals(Set.of("10.0.0.2"), picked(upstream, 50));
    }
}
