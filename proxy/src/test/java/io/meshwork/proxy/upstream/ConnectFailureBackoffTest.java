package io.meshwork.proxy.upstream;

import io.meshwork.proxy.resilience.ResilienceEvents;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Discovery;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.Protocol;
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

/**
 * An instance that refuses connections, on a node without outlier detection (App Mesh's
 * default), on a virtual clock: set aside after three connect failures in a row, probed after
 * a back-off that doubles while it still fails, back at the first connection that opens.
 */
class ConnectFailureBackoffTest {
    private final AtomicLong clock = new AtomicLong(-TimeUnit.HOURS.toNanos(1)); // System.nanoTime() may be negative
    private final List<String> log = new ArrayList<>();
    private final ResilienceEvents events = new ResilienceEvents() {
        @Override
        public void connectsFailing(String cluster, InetSocketAddress endpoint, long forMillis, int times) {
            log.add("failing " + endpoint.getAddress().getHostAddress() + " for " + forMillis + " (#" + times + ")");
        }

        @Override
        public void connectsAgain(String cluster, InetSocketAddress endpoint) {
            log.add("again " + endpoint.getAddress().getHostAddress());
        }
    };

    private Upstream upstream(LoadBalancing balancing, String... addresses) {
        ClusterRuntime runtime = new ClusterRuntime("api", balancing, events, clock::get);
        List<Endpoint> endpoints = new ArrayList<>();
        for (String a : addresses) {
            endpoints.add(new Endpoint(a, 8080, "cloudMap"));
        }
        runtime.update(new Cluster("api", List.of(new Listener(8080, Protocol.HTTP, null, null, null, null, null)),
                new Discovery(Discovery.NONE, null, null, null), endpoints));
        return runtime.port(8080);
    }

    /** Connections started now that fail. */
    private static void fail(Upstream upstream, EndpointState e, int times) {
        for (int i = 0; i < times; i++) {
            upstream.connectOutcome(e, false, e.connectEpoch());
        }
    }

    private static void connect(Upstream upstream, EndpointState e) {
        upstream.connectOutcome(e, true, e.connectEpoch());
    }

    private void advanceMillis(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void threeFailuresInARowSetAnInstanceAsideAndEachFailedProbeDoublesTheTime() {
        Upstream upstream = upstream(LoadBalancing.LEAST_REQUEST, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        EndpointState gone = find(upstream, "10.0.0.2");
        fail(upstream, gone, 2);
        connect(upstream, gone);
        fail(upstream, gone, 2);
        assertTrue(picked(upstream, 60).contains("10.0.0.2"), "an opened connection in between starts the count again");

        fail(upstream, gone, 1);
        assertEquals(Set.of("10.0.0.1", "10.0.0.3"), picked(upstream, 60), "least-request would favour it: nothing in flight");
        assertTrue(gone.connectBackedOff(clock.get()));
        assertEquals(List.of("failing 10.0.0.2 for 1000 (#1)"), log);
        fail(upstream, gone, 5);
        assertEquals(1, log.size(), "failures while it is set aside (panic mode) change nothing");

        advanceMillis(999);
        assertFalse(picked(upstream, 60).contains("10.0.0.2"));
        advanceMillis(1);
        assertEquals("10.0.0.2", probe(upstream).address().getAddress().getHostAddress(), "tried again after 1 s");
        assertFalse(picked(upstream, 60).contains("10.0.0.2"), "by one request only, while its connection is under way");
        fail(upstream, gone, 1);
        assertEquals("failing 10.0.0.2 for 2000 (#2)", log.get(1), "one failed probe is enough, and it waits longer");
        for (long expected : new long[] {4000, 8000, 16000, 30000, 30000}) {
            advanceMillis(ConnectFailureBackoff.nanos(log.size()) / 1_000_000);
            probe(upstream);
            fail(upstream, gone, 1);
            assertEquals("failing 10.0.0.2 for " + expected + " (#" + log.size() + ")", log.get(log.size() - 1));
        }

        advanceMillis(30_000);
        probe(upstream);
        connect(upstream, gone);
        assertEquals("again 10.0.0.2", log.get(log.size() - 1));
        assertFalse(gone.connectBackedOff(clock.get()));
        fail(upstream, gone, 2);
        assertTrue(picked(upstream, 60).contains("10.0.0.2"), "back to three failures, and to 1 s");
        fail(upstream, gone, 1);
        assertEquals("failing 10.0.0.2 for 1000 (#1)", log.get(log.size() - 1));
    }

    @Test
    void aRetryAfterARefusedConnectionGoesElsewhereAndTwoInstancesKeepOne() {
        Upstream upstream = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2");
        EndpointState one = find(upstream, "10.0.0.1");
        EndpointState two = find(upstream, "10.0.0.2");
        fail(upstream, one, 3);
        assertEquals(Set.of("10.0.0.2"), picked(upstream, 20));
        fail(upstream, two, 3);
        assertEquals(Set.of("10.0.0.2"), picked(upstream, 20), "never both of two: the other would take all the load");
        for (int i = 0; i < 10; i++) {
            assertEquals(two.address(), upstream.pick(List.of(one.address())).address());
        }
        connect(upstream, one);
        assertEquals(Set.of("10.0.0.1", "10.0.0.2"), picked(upstream, 20));
    }

    /** Picks until the set-aside instance whose time is up is chosen: that request is its probe. */
    private static EndpointState probe(Upstream upstream) {
        for (int i = 0; i < 200; i++) {
            EndpointState e = upstream.pick(List.of());
            if (e.connectBackedOff) {
                return e;
            }
        }
        throw new AssertionError("no probe");
    }

    @Test
    void aProbeThatNeverConnectsFreesTheInstanceForAnotherAfterTenSeconds() {
        Upstream upstream = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        EndpointState gone = find(upstream, "10.0.0.2");
        fail(upstream, gone, 3);
        advanceMillis(1_000);
        probe(upstream); // say it took a pooled connection: no connect outcome ever comes
        assertFalse(picked(upstream, 30).contains("10.0.0.2"));
        advanceMillis(10_000);
        assertTrue(picked(upstream, 30).contains("10.0.0.2"), "another request may probe it");
    }

    @Test
    void failuresOfConnectionsStartedBeforeItWasSetAsideCountForNothing() {
        Upstream upstream = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        EndpointState gone = find(upstream, "10.0.0.2");
        int before = gone.connectEpoch();
        fail(upstream, gone, 3);
        advanceMillis(1_000);
        for (int i = 0; i < 10; i++) {
            upstream.connectOutcome(gone, false, before); // connect timeouts of connections started earlier, arriving late
        }
        assertEquals(1, log.size(), "no second back-off without a failed probe: " + log);
        assertTrue(picked(upstream, 30).contains("10.0.0.2"));
    }

    @Test
    void atMostHalfTheInstancesAreSetAside() {
        Upstream three = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        fail(three, find(three, "10.0.0.1"), 3);
        fail(three, find(three, "10.0.0.2"), 10);
        assertEquals(Set.of("10.0.0.2", "10.0.0.3"), picked(three, 30), "a second of three would leave one to take all the load");

        log.clear();
        Upstream four = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4");
        fail(four, find(four, "10.0.0.1"), 3);
        fail(four, find(four, "10.0.0.2"), 3);
        fail(four, find(four, "10.0.0.3"), 3);
        assertEquals(Set.of("10.0.0.3", "10.0.0.4"), picked(four, 30));
        assertEquals(2, log.size(), log.toString());

        // A failed probe while the other half is set aside puts it back in rotation rather than leaving it half-probed.
        log.clear();
        Upstream two = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4");
        EndpointState first = find(two, "10.0.0.1");
        fail(two, first, 3);
        advanceMillis(1_000);
        assertEquals(first, probe(two));
        fail(two, find(two, "10.0.0.2"), 3);
        fail(two, find(two, "10.0.0.3"), 3);
        fail(two, first, 1);
        assertEquals(List.of("failing 10.0.0.1 for 1000 (#1)", "failing 10.0.0.2 for 1000 (#1)", "failing 10.0.0.3 for 1000 (#1)"),
                log, "while 10.0.0.1 is probed, its time is up: two others may go");
        assertTrue(picked(two, 40).contains("10.0.0.1"), "back in rotation: a second set-aside would pass half");
    }

    @Test
    void inPanicModeARetryGoesToAnInstanceNotTriedYetAndNotToOneThatRefuses() {
        Upstream upstream = upstream(LoadBalancing.ROUND_ROBIN, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        EndpointState one = find(upstream, "10.0.0.1");
        EndpointState two = find(upstream, "10.0.0.2");
        EndpointState three = find(upstream, "10.0.0.3");
        fail(upstream, one, 3);
        two.healthCheck(false, 1, 1);
        three.healthCheck(false, 1, 1);
        assertEquals(Set.of("10.0.0.2", "10.0.0.3"), picked(upstream, 30),
                "none usable, so all are, but an instance failing its checks may still answer and one refusing connections cannot");
        for (int i = 0; i < 20; i++) {
            assertEquals(three.address(), upstream.pick(List.of(two.address())).address());
            assertEquals(two.address(), upstream.pick(List.of(three.address())).address());
        }
    }

    @Test
    void theBackoffNeverExceedsThirtySeconds() {
        assertEquals(TimeUnit.SECONDS.toNanos(1), ConnectFailureBackoff.nanos(1));
        assertEquals(TimeUnit.SECONDS.toNanos(16), ConnectFailureBackoff.nanos(5));
        assertEquals(TimeUnit.SECONDS.toNanos(30), ConnectFailureBackoff.nanos(6));
        assertEquals(TimeUnit.SECONDS.toNanos(30), ConnectFailureBackoff.nanos(Integer.MAX_VALUE));
    }
}
