package io.meshwork.proxy.tls;

import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.Tls;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

/** The client side of TLS per upstream cluster and port: built once, then the same for every request. */
class TlsContextSetTest {
    private static final WorkloadIdentity NO_IDENTITY = new WorkloadIdentity(csr -> {
        throw new AssertionError("no certificate is asked for");
    }, "test");

    @Test
    void eachClusterPortGetsItsOwnOriginationOnceAndKeepsIt() {
        TlsContextSet set = new TlsContextSet(snapshot(), NO_IDENTITY);
        TlsContexts.Origination tls = set.client("secure", 8443, Protocol.HTTP);
        assertNotNull(tls.context(), "the server listens with TLS: the client encrypts");
        assertSame(tls, set.client("secure", 8443, Protocol.HTTP));
        TlsContexts.Origination other = set.client("secure", 9443, Protocol.HTTP2);
        assertNotNull(other.context());
        assertNotSame(tls, other, "another port of the same cluster has its own");
        assertSame(tls, set.client("secure", 8443, Protocol.HTTP), "adding a port keeps the first one's");
        assertNull(set.client("secure", 8080, Protocol.HTTP).context(), "a port without TLS is plaintext");
        assertNull(set.client("plain", 8443, Protocol.HTTP).context(), "the same port of another cluster is its own");
        set.clear();
        assertNotSame(tls, set.client("secure", 8443, Protocol.HTTP), "a new identity builds them again");
    }

    @Test
    void concurrentFirstRequestsShareOneOrigination() throws Exception {
        TlsContextSet set = new TlsContextSet(snapshot(), NO_IDENTITY);
        Set<TlsContexts.Origination> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int port = i % 2 == 0 ? 8443 : 9443;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    seen.add(set.client("secure", port, Protocol.HTTP));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(2, seen.size(), "one per port, whichever thread asked first");
    }

    private static ProxySnapshot snapshot() {
        Tls.Server strict = new Tls.Server(Tls.Mode.STRICT, null, null);
        Cluster secure = new Cluster("secure", List.of(listener(8443, strict), listener(9443, strict), listener(8080, null)), null, List.of());
        Cluster plain = new Cluster("plain", List.of(listener(8443, null)), null, List.of());
        return new ProxySnapshot("1", 1, "mesh", ProxySnapshot.VIRTUAL_NODE, "web", null, List.of(), List.of(), List.of(),
                List.of(secure, plain), null, List.of(), null, null);
    }

    private static Listener listener(int port, Tls.Server tls) {
        return new Listener(port, Protocol.HTTP, null, null, null, null, tls);
    }
}
