package io.meshwork.proxy.config;

import io.meshwork.proxy.support.PrometheusText;
import io.meshwork.proxy.settings.ProxySettings;
import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.control.ControlPlaneClient;
import io.meshwork.proxy.observability.ExchangeObserver;
import io.meshwork.proxy.listener.ListenerManager;
import io.meshwork.proxy.listener.Transport;
import io.meshwork.proxy.observability.AccessLogWriter;
import io.meshwork.proxy.observability.ProxyMetrics;
import io.meshwork.proxy.runtime.ActiveConfig;
import io.meshwork.proxy.support.OpenFiles;
import io.meshwork.proxy.support.TestBackend;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.tls.WorkloadIdentity;
import io.meshwork.proxy.upstream.ClusterRegistry;
import io.meshwork.proxy.upstream.ClusterRuntime;
import io.meshwork.proxy.upstream.UpstreamConnectors;
import io.meshwork.proxyapi.AccessLog;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Endpoint;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.SnapshotJson;
import io.meshwork.proxyapi.Tls;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The applier on the proxy's real parts (listening sockets on 127.0.0.201, an access-log writer
 * on temporary files, TLS contexts from certificate files, the cluster registry): a snapshot
 * that cannot be applied whole changes nothing, and one that can replaces the previous one
 * without leaving its sockets or files open.
 */
class SnapshotApplierTest {
    private static final String PROXY = "127.0.0.201";
    private static final String APP = "127.0.1.201";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ProxyMetrics metrics;
    private ActiveConfig active;
    private ClusterRegistry clusters;
    private ListenerManager listeners;
    private SnapshotApplier applier;
    private TestBackend app;

    @BeforeEach
    void startTheProxysParts() {
        ProxySettings settings = ProxySettings.fromEnvironment(Map.of("APPMESH_RESOURCE_ARN", "mesh/m/virtualNode/web",
                "PROXY_MODE", "local", "PROXY_LOCAL_ADDRESS", PROXY, "PROXY_APP_ADDRESS", APP,
                "AWS_ACCESS_KEY_ID", "unused", "AWS_SECRET_ACCESS_KEY", "unused"));
        Transport transport = Transport.detect();
        boss = transport.group(1);
        workers = transport.group(1);
        metrics = new ProxyMetrics("m", "virtualNode", "web");
        AccessLogWriter accessLog = new AccessLogWriter(metrics);
        ExchangeObserver observer = record -> {
            metrics.completed(record);
            accessLog.completed(record);
        };
        active = new ActiveConfig();
        clusters = new ClusterRegistry(workers.next(), transport.datagrams());
        clusters.tls(new TlsContexts(new WorkloadIdentity(new ControlPlaneClient(settings)::certificate, "web")));
        UpstreamConnectors connectors = UpstreamConnectors.pooled(transport.sockets(),
                new DnsAddressResolverGroup(transport.datagrams(), DnsServerAddressStreamProviders.platformDefault()));
        listeners = new ListenerManager(settings, transport, boss, workers, active, clusters, connectors, observer, metrics.traffic(), metrics);
        applier = new SnapshotApplier(settings.resource(), active, listeners, clusters, accessLog, metrics);
        app = TestBackend.http("app", APP, 8000);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        listeners.closeAll();
        clusters.close();
        app.close();
        boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSnapshotWhosePortIsTakenIsRefusedAndThePreviousOneServesUnchanged() throws Exception {
        Path oldLog = dir.resolve("old.log");
        Path newLog = dir.resolve("new.log");
        SelfSignedCertificate oldCert = certificate("old.example");
        SelfSignedCertificate newCert = certificate("new.example");
        ProxySnapshot before = applier.apply(json(snapshot(oldLog, List.of(http(8000), tls(8443, oldCert)),
                List.of(cluster("api", "127.0.0.9")))));
        ClusterRuntime api = clusters.get("api");
        ServerSocket squatter = bind(8001);

        // 8002 is bound before 8001 fails: it must be closed again.
        SnapshotApplier.Rejected refused = assertThrows(SnapshotApplier.Rejected.class, () -> applier.apply(json(snapshot(newLog,
                List.of(http(8000), tls(8443, newCert), http(8002), http(8001)), List.of(cluster("billing", "127.0.0.10"))))));

        assertTrue(refused.getMessage().contains(PROXY + ":8001"), refused.getMessage());
        assertEquals(before.version(), active.get().version());
        HttpResponse<String> response = get(8000);
        assertEquals(200, response.statusCode());
        assertEquals("app", response.headers().firstValue("x-backend").orElse(""));
        eventually(Duration.ofSeconds(5), () -> assertTrue(Files.readString(oldLog).contains("GET /"), "the previous access log"));
        assertFalse(OpenFiles.heldByThisProcess(newLog), "the new access log is not held open");
        assertTrue(Files.notExists(newLog) || Files.size(newLog) == 0);
        assertPortFree(8002);
        assertEquals("CN=old.example", serverCertificate(8443).getSubjectX500Principal().getName());
        assertSame(api, clusters.get("api"), "the cluster in force keeps its state");
        assertEquals("127.0.0.9", api.cluster().endpoints().get(0).address());
        assertNull(clusters.get("billing"));
        assertEquals(1, PrometheusText.parse(metrics.prometheusText()).value("meshwork_config_updates_total", "result", "rejected"));

        // Once the port is free the same snapshot applies whole.
        squatter.close();
        applier.apply(json(snapshot(newLog, List.of(http(8000), tls(8443, newCert), http(8002), http(8001)),
                List.of(cluster("billing", "127.0.0.10")))));
        assertEquals("CN=new.example", serverCertificate(8443).getSubjectX500Principal().getName());
        assertEquals(200, get(8000).statusCode());
        eventually(Duration.ofSeconds(5), () -> assertTrue(Files.readString(newLog).contains("GET /"), "the new access log"));
        assertFalse(OpenFiles.heldByThisProcess(oldLog), "the replaced access log is closed");
        assertNull(clusters.get("api"));
    }

    @Test
    void aSnapshotWhoseAccessLogCannotBeOpenedIsRefusedWhole() throws Exception {
        Path oldLog = dir.resolve("old.log");
        ProxySnapshot before = applier.apply(json(snapshot(oldLog, List.of(http(8000)), List.of())));

        SnapshotApplier.Rejected refused = assertThrows(SnapshotApplier.Rejected.class, () -> applier.apply(json(snapshot(
                dir.resolve("no-such-directory").resolve("access.log"), List.of(http(8000), http(8002)), List.of()))));

        assertTrue(refused.getMessage().contains("no-such-directory"), refused.getMessage());
        assertEquals(before.version(), active.get().version());
        assertPortFree(8002);
        assertEquals(200, get(8000).statusCode());
        eventually(Duration.ofSeconds(5), () -> assertTrue(Files.readString(oldLog).contains("GET /"), "the previous access log"));
    }

    @Test
    void aNewSnapshotUnbindsThePortsOnlyThePreviousOneUsedAndKeepsTheClustersThatStay() throws Exception {
        applier.apply(json(snapshot(null, List.of(http(8000), http(8002)), List.of(cluster("api", "127.0.0.9")))));
        ClusterRuntime api = clusters.get("api");

        applier.apply(json(snapshot(null, List.of(http(8000)), List.of(cluster("api", "127.0.0.11"), cluster("billing", "127.0.0.10")))));

        assertPortFree(8002);
        assertEquals(200, get(8000).statusCode());
        assertSame(api, clusters.get("api"), "ejections and resolution results live on in the same runtime");
        assertEquals("127.0.0.11", api.cluster().endpoints().get(0).address(), "with the new settings");
        assertTrue(clusters.get("billing") != null);
    }

    @Test
    void aPortWhoseListenerChangesProtocolKeepsItsSocketAndServesTheNewProtocol() throws Exception {
        try (TestBackend echo = TestBackend.tcpEcho("echo", APP, 8005)) {
            applier.apply(json(snapshot(null, List.of(http(8000), http(8005)), List.of())));

            applier.apply(json(snapshot(null, List.of(http(8000), new Listener(8005, Protocol.TCP, null, null, null, null, null)),
                    List.of())));

            try (Socket s = new Socket(PROXY, 8005)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("not http\n".getBytes());
                assertEquals("not http\n", new String(s.getInputStream().readNBytes(9)), "relayed as TCP");
            }
        }
    }

    // --- snapshots ----------------------------------------------------------------------------------

    private static ProxySnapshot snapshot(Path accessLog, List<Listener> listeners, List<Cluster> clusters) {
        return SnapshotJson.versioned(new ProxySnapshot(null, 1, "m", ProxySnapshot.VIRTUAL_NODE, "web", "DROP_ALL", listeners,
                List.of(), null, clusters, accessLog == null ? null : new AccessLog(accessLog.toString(), null, null), null, null, null));
    }

    private static Listener http(int port) {
        return new Listener(port, Protocol.HTTP, null, null, null, null, null);
    }

    private static Listener tls(int port, SelfSignedCertificate cert) {
        Tls.Certificate files = new Tls.Certificate(null, cert.certificate().getPath(), cert.privateKey().getPath(), null);
        return new Listener(port, Protocol.HTTP, null, null, null, null, new Tls.Server(Tls.Mode.STRICT, files, null));
    }

    private static Cluster cluster(String name, String address) {
        return new Cluster(name, List.of(http(9000)), null, List.of(new Endpoint(address, null, "registered")));
    }

    private static byte[] json(ProxySnapshot snapshot) {
        return SnapshotJson.write(snapshot);
    }

    @SuppressWarnings("deprecation")
    private SelfSignedCertificate certificate(String name) throws Exception {
        SelfSignedCertificate cert = new SelfSignedCertificate(name);
        closing.add(cert::delete);
        return cert;
    }

    // --- what a user of the proxy sees ------------------------------------------------------------

    private HttpResponse<String> get(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + PROXY + ":" + port + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(PROXY, port));
        closing.add(socket);
        return socket;
    }

    /** Nothing listens there: another socket can take the port. */
    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(PROXY, port));
        }
    }

    private static X509Certificate serverCertificate(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new TrustingManager()}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(PROXY, port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** The test only reads which certificate the proxy presents. */
    private static final class TrustingManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
