package io.meshwork.proxy.e2e;

import io.meshwork.proxy.support.PrometheusText;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.NetworkNamespaces;
import io.meshwork.proxy.support.ProxyProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.EgressFilterType;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sidecar mode for real: two emulated tasks, each a network namespace with its app, its proxy
 * running as uid 1337 and {@code bin/proxy-init} rules, as an ECS task with App Mesh's
 * proxyConfiguration has them. Task B's node has two HTTP listeners and a TCP listener; task
 * A's app calls B by address, and only iptables sends its connections through the proxies.
 * Root only (namespaces, iptables); skipped elsewhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SidecarEndToEndTest {
    private static final String MESH = "sidecar";
    private static final String A = "10.99.0.1";
    private static final String B = "10.99.0.2";
    private static final String A6 = "fd99::1";
    private static final String B6 = "fd99::2";
    private static final Path SCRIPTS = Path.of("src", "test", "resources", "backends").toAbsolutePath();
    private static final Path PROXY_INIT = Path.of("..", "bin", "proxy-init").toAbsolutePath().normalize();

    private ControlPlane plane;
    private AppMeshClient appMesh;
    private NetworkNamespaces net;
    private String taskA;
    private String taskB;
    private Path work;
    private ServerSocket outsider;
    private ServerSocket ignoredPortServer;
    private final AtomicInteger outsiderConnections = new AtomicInteger();
    private final AtomicInteger ignoredPortConnections = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        String why = NetworkNamespaces.unavailableBecause();
        assumeTrue(why == null, why);
        plane = ControlPlane.start(Map.of("micronaut.server.host", "0.0.0.0"));
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName(MESH).spec(s -> s.egressFilter(f -> f.type(EgressFilterType.DROP_ALL))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("b").spec(s -> s
                .listeners(listener(8080, PortProtocol.HTTP), listener(9090, PortProtocol.HTTP), listener(5432, PortProtocol.TCP))
                .serviceDiscovery(d -> d.dns(x -> x.hostname(B)))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName("b.sidecar.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("b")))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("a").spec(s -> s
                .backends(b -> b.virtualService(v -> v.virtualServiceName("b.sidecar.local")))));

        work = Files.createTempDirectory("sidecar-e2e-");
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String classpath = ProxyProcess.stageClasspath(work.resolve("proxy"));
        net = NetworkNamespaces.create("mwsc");
        taskA = net.task("a", A);
        taskB = net.task("b", B);

        // Outside both tasks, on the bridge: a server the mesh does not know, and one on an ignored port.
        outsider = listen(NetworkNamespaces.BRIDGE_ADDRESS, 18888, outsiderConnections);
        ignoredPortServer = listen(NetworkNamespaces.BRIDGE_ADDRESS, 17777, ignoredPortConnections);

        // Task B: its apps on 127.0.0.1 (two HTTP ports, one TCP), its rules, its proxy as uid 1337.
        net.start(taskB, null, Map.of(), work.resolve("app-8080.log"), "python3", SCRIPTS.resolve("python_app.py").toString(), "b-8080", "127.0.0.1", "8080");
        net.start(taskB, null, Map.of(), work.resolve("app-9090.log"), "python3", SCRIPTS.resolve("python_app.py").toString(), "b-9090", "127.0.0.1", "9090");
        net.start(taskB, null, Map.of(), work.resolve("app-5432.log"), "python3", SCRIPTS.resolve("tcp_echo.py").toString(), "127.0.0.1", "5432");
        // IPv6 on, as the EKS injector has it by default: both families are captured.
        net.exec(taskB, Map.of(), "ip", "addr", "add", B6 + "/64", "dev", taskB + "t", "nodad");
        proxyInit(taskB, Map.of("APPMESH_APP_PORTS", "8080,9090,5432", "APPMESH_EGRESS_IGNORED_IP", "169.254.169.254,169.254.170.2",
                "APPMESH_ENABLE_IPV6", "1"));
        // B's proxy runs on io_uring (PROXY_TRANSPORT), A's on the default epoll: both must read original destinations.
        proxy(taskB, "mesh/" + MESH + "/virtualNode/b", classpath, Map.of("PROXY_TRANSPORT", "io_uring"));

        // Task A: a stand-in credentials endpoint on 169.254.170.2 (as ECS has), its rules, its proxy.
        net.exec(taskA, Map.of(), "ip", "addr", "add", "169.254.170.2/32", "dev", "lo");
        net.start(taskA, null, Map.of(), work.resolve("creds.log"), "python3", SCRIPTS.resolve("python_app.py").toString(), "credentials", "169.254.170.2", "80");
        net.exec(taskA, Map.of(), "ip", "addr", "add", A6 + "/64", "dev", taskA + "t", "nodad");
        proxyInit(taskA, Map.of("APPMESH_EGRESS_IGNORED_IP", "169.254.169.254,169.254.170.2", "APPMESH_EGRESS_IGNORED_PORTS", "17777",
                "APPMESH_ENABLE_IPV6", "1"));
        proxy(taskA, "mesh/" + MESH + "/virtualNode/a", classpath, Map.of());

        for (String task : new String[]{taskA, taskB}) {
            eventually(Duration.ofSeconds(60), () -> assertEquals(0, healthCheck(task).exitCode(), "the App Mesh health check passes in " + task));
        }
        plane.awaitProxiesUpToDate(MESH, 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (net != null) {
            net.close();
        }
        for (ServerSocket s : new ServerSocket[]{outsider, ignoredPortServer}) {
            if (s != null) {
                s.close();
            }
        }
        if (appMesh != null) {
            appMesh.close();
            plane.close();
        }
    }

    @Test
    void httpReachesTheAppPortThatWasDialledThroughBothProxies() {
        for (int port : new int[]{8080, 9090}) {
            long egressBefore = requests(taskA, "egress");
            long ingressBefore = requests(taskB, "ingress");
            NetworkNamespaces.Result r = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10",
                    "--resolve", "b.sidecar.local:" + port + ":" + B, "http://b.sidecar.local:" + port + "/orders?id=7");
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("b-" + port + " GET /orders?id=7"), "port " + port + " reaches its own app: " + r.output());
            assertEquals(egressBefore + 1, requests(taskA, "egress"), "A's app's call went through A's proxy");
            assertEquals(ingressBefore + 1, requests(taskB, "ingress"), "and arrived through B's proxy");
        }
    }

    @Test
    void eachProxyRunsOnTheTransportItWasGiven() throws IOException {
        assertTrue(Files.readString(work.resolve("proxy-" + taskA + ".log")).contains("transport: EPOLL"));
        String b = Files.readString(work.resolve("proxy-" + taskB + ".log"));
        // Where the kernel refuses io_uring the proxy says so and falls back: then the rest of this class tests epoll twice.
        assertTrue(b.contains(io.netty.channel.uring.IoUring.isAvailable() ? "transport: IO_URING" : "io_uring is not available here"), b);
    }

    @Test
    void rawTcpToTheTcpListenerIsRelayedByItsOriginalDestination() {
        NetworkNamespaces.Result r = net.exec(taskA, Map.of(), "python3", "-c", String.join("\n",
                "import socket",
                "s = socket.create_connection(('" + B + "', 5432), timeout=10)",
                "s.sendall(b'ping over tcp')",
                "print(s.recv(100).decode())"));
        // The mesh is DROP_ALL: had A's proxy not routed it as the backend's TCP listener, it would have been refused.
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("ping over tcp", r.output().trim());
    }

    @Test
    void dropAllRefusesAnUnknownDestinationAndAllowAllPassesItThrough() throws Exception {
        int before = outsiderConnections.get();
        NetworkNamespaces.Result refused = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}",
                "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":18888/");
        assertNotEquals("200", refused.output().trim(), refused.output());
        assertEquals(before, outsiderConnections.get(), "nothing reached the unknown destination");

        plane.changeAndAwaitProxies(MESH, () -> appMesh.updateMesh(r -> r.meshName(MESH)
                .spec(s -> s.egressFilter(f -> f.type(EgressFilterType.ALLOW_ALL)))));
        try {
            NetworkNamespaces.Result passed = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10",
                    "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":18888/");
            assertTrue(passed.output().contains("outside"), passed.output());
            assertEquals(before + 1, outsiderConnections.get(), "ALLOW_ALL passes it through to where it was going");
        } finally {
            plane.changeAndAwaitProxies(MESH, () -> appMesh.updateMesh(r -> r.meshName(MESH)
                    .spec(s -> s.egressFilter(f -> f.type(EgressFilterType.DROP_ALL)))));
        }
    }

    @Test
    void awsEndpointsGetThroughDropAllByTheirTlsServerNameOrTheirHost() throws Exception {
        io.netty.handler.ssl.util.SelfSignedCertificate cert = new io.netty.handler.ssl.util.SelfSignedCertificate("aws.test");
        AtomicInteger tlsConnections = new AtomicInteger();
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("k", cert.key(), new char[0], new java.security.cert.Certificate[]{cert.cert()});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        context.init(kmf.getKeyManagers(), null, null);
        try (ServerSocket tls = context.getServerSocketFactory().createServerSocket()) {
            tls.bind(new InetSocketAddress(NetworkNamespaces.BRIDGE_ADDRESS, 18443));
            serve(tls, tlsConnections);
            String url = "https://%s:18443/";
            NetworkNamespaces.Result aws = net.exec(taskA, Map.of(), "curl", "-sk", "-m", "10",
                    "--resolve", "sts.us-east-1.amazonaws.com:18443:" + NetworkNamespaces.BRIDGE_ADDRESS, url.formatted("sts.us-east-1.amazonaws.com"));
            assertTrue(aws.output().contains("outside"), "TLS to *.amazonaws.com passes DROP_ALL, untouched: " + aws);
            assertEquals(1, tlsConnections.get());
            NetworkNamespaces.Result other = net.exec(taskA, Map.of(), "curl", "-sk", "-m", "10",
                    "--resolve", "files.example.com:18443:" + NetworkNamespaces.BRIDGE_ADDRESS, url.formatted("files.example.com"));
            assertFalse(other.output().contains("outside"), other.toString());
            assertEquals(1, tlsConnections.get(), "TLS to any other server name does not");
        }
        int before = outsiderConnections.get();
        NetworkNamespaces.Result plain = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10",
                "--resolve", "s3.amazonaws.com:18888:" + NetworkNamespaces.BRIDGE_ADDRESS, "http://s3.amazonaws.com:18888/");
        assertTrue(plain.output().contains("outside"), "plain HTTP with an AWS Host passes too: " + plain);
        assertEquals(before + 1, outsiderConnections.get());
    }

    @Test
    void ignoredAddressesPortsAndTheProxysOwnUidBypassTheProxy() {
        NetworkNamespaces.Result credentials = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10", "http://169.254.170.2/v2/credentials");
        assertTrue(credentials.output().contains("credentials GET /v2/credentials"), "an ignored IP is reached directly: " + credentials);
        int before = ignoredPortConnections.get();
        NetworkNamespaces.Result ignoredPort = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10",
                "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":17777/");
        assertTrue(ignoredPort.output().contains("outside"), "an ignored port is reached directly under DROP_ALL: " + ignoredPort);
        assertEquals(before + 1, ignoredPortConnections.get());
        int outside = outsiderConnections.get();
        NetworkNamespaces.Result asProxyUser = net.exec(taskA, Map.of(), "setpriv", "--reuid", "1337", "--regid", "1337",
                "--clear-groups", "curl", "-s", "-m", "10", "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":18888/");
        assertTrue(asProxyUser.output().contains("outside"), "uid 1337's own connections are never redirected: " + asProxyUser);
        assertEquals(outside + 1, outsiderConnections.get());
    }

    @Test
    void ipv6ConnectionsAreCapturedAndServedLikeIpv4Ones() {
        long ingressBefore = requests(taskB, "ingress");
        // Inbound: B's ip6tables send it to B's proxy, which serves it as the listener of the port dialled
        // (sent as uid 1337, so that A's proxy leaves it alone).
        NetworkNamespaces.Result inbound = net.exec(taskA, Map.of(), "setpriv", "--reuid", "1337", "--regid", "1337", "--clear-groups",
                "curl", "-s", "-m", "10", "http://[" + B6 + "]:9090/v6");
        assertTrue(inbound.output().contains("b-9090 GET /v6"), inbound.toString());
        assertEquals(ingressBefore + 1, requests(taskB, "ingress"), "through B's proxy");

        // Outbound: A's ip6tables send it to A's proxy, which routes it by Host like any other call.
        long egressBefore = requests(taskA, "egress");
        NetworkNamespaces.Result outbound = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10", "-H", "Host: b.sidecar.local:8080",
                "http://[" + B6 + "]:8080/v6");
        assertTrue(outbound.output().contains("b-8080 GET /v6"), outbound.toString());
        assertEquals(egressBefore + 1, requests(taskA, "egress"), "through A's proxy");
    }

    @Test
    void anAppUsingTheEgressPortAsItsHttpProxyIsRoutedByHostAndNeverLoopsBackToTheProxy() throws Exception {
        int before = outsiderConnections.get();
        String outsiderUrl = "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":18888/";
        NetworkNamespaces.Result mesh = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10", "-x", "http://127.0.0.1:15001",
                "http://b.sidecar.local:8080/via-proxy");
        assertTrue(mesh.output().contains("b-8080 GET /via-proxy"), "a backend by name: " + mesh);
        NetworkNamespaces.Result dropped = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}",
                "-x", "http://127.0.0.1:15001", outsiderUrl);
        assertEquals("404", dropped.output().trim(), "DROP_ALL: refused by the proxy itself");

        plane.changeAndAwaitProxies(MESH, () -> appMesh.updateMesh(r -> r.meshName(MESH)
                .spec(s -> s.egressFilter(f -> f.type(EgressFilterType.ALLOW_ALL)))));
        try {
            NetworkNamespaces.Result passed = net.exec(taskA, Map.of(), "curl", "-s", "-m", "10", "-x", "http://127.0.0.1:15001", outsiderUrl);
            assertTrue(passed.output().contains("outside"), "ALLOW_ALL: on to the Host named, not back to the proxy: " + passed);
            assertEquals(before + 1, outsiderConnections.get());
        } finally {
            plane.changeAndAwaitProxies(MESH, () -> appMesh.updateMesh(r -> r.meshName(MESH)
                    .spec(s -> s.egressFilter(f -> f.type(EgressFilterType.DROP_ALL)))));
        }
    }

    @Test
    void proxyInitRefusesBadValuesAndLeavesNothingHalfInstalled() {
        String ns = net.task("d", "10.99.0.4");
        for (Map<String, String> bad : List.of(Map.of("APPMESH_APP_PORTS", "70000"), Map.of("APPMESH_EGRESS_IGNORED_IP", "300.1.1.1"),
                Map.of("APPMESH_IGNORE_UID", ""),
                // passes the script's own checks, refused by ip6tables after the IPv4 rules went in: rolled back
                Map.of("APPMESH_APP_PORTS", "8080", "APPMESH_EGRESS_IGNORED_IP", "fd00:::1", "APPMESH_ENABLE_IPV6", "1"))) {
            NetworkNamespaces.Result r = net.exec(ns, bad, PROXY_INIT.toString(), "enable");
            assertEquals(2, r.exitCode(), bad + ": " + r.output());
            assertFalse(net.exec(ns, Map.of(), "iptables-save", "-t", "nat").output().contains("APPMESH"), bad + " left rules");
            assertEquals(3, net.exec(ns, Map.of(), PROXY_INIT.toString(), "status").exitCode());
        }
        // Eight port ranges fill 16 multiport slots: two groups, all installed.
        proxyInit(ns, Map.of("APPMESH_APP_PORTS", "1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16"));
        assertEquals(2, net.exec(ns, Map.of(), "iptables", "-t", "nat", "-S", "APPMESH_INGRESS").output().lines()
                .filter(l -> l.contains("--dports")).count());
        assertEquals(0, net.exec(ns, Map.of(), PROXY_INIT.toString(), "status").exitCode());
        // Only a gid exempt (App Mesh allows either alone).
        proxyInit(ns, Map.of("APPMESH_IGNORE_UID", "", "APPMESH_IGNORE_GID", "1337", "APPMESH_APP_PORTS", "8080"));
        String egress = net.exec(ns, Map.of(), "iptables", "-t", "nat", "-S", "APPMESH_EGRESS").output();
        assertTrue(egress.contains("--gid-owner 1337") && !egress.contains("--uid-owner"), egress);
    }

    @Test
    void proxyInitDisableLeavesNoRuleBehind() {
        String ns = net.task("c", "10.99.0.3");
        proxyInit(ns, Map.of("APPMESH_APP_PORTS", "8080", "APPMESH_ENABLE_IPV6", "1"));
        assertTrue(net.exec(ns, Map.of(), "iptables-save", "-t", "nat").output().contains("APPMESH_EGRESS"));
        assertEquals(0, net.exec(ns, Map.of(), PROXY_INIT.toString(), "status").exitCode());
        net.exec(ns, Map.of("APPMESH_ENABLE_IPV6", "1"), PROXY_INIT.toString(), "disable");
        assertFalse(net.exec(ns, Map.of(), "iptables-save", "-t", "nat").output().contains("APPMESH"));
        assertFalse(net.exec(ns, Map.of(), "ip6tables-save", "-t", "nat").output().contains("APPMESH"));
        assertEquals(3, net.exec(ns, Map.of(), PROXY_INIT.toString(), "status").exitCode());
    }

    // --- the tasks --------------------------------------------------------------------------------

    private static Listener listener(int port, PortProtocol protocol) {
        return Listener.builder().portMapping(p -> p.port(port).protocol(protocol)).build();
    }

    private void proxyInit(String ns, Map<String, String> env) {
        NetworkNamespaces.Result r = net.exec(ns, env, PROXY_INIT.toString(), "enable");
        assertEquals(0, r.exitCode(), r.output());
    }

    private void proxy(String ns, String resource, String classpath, Map<String, String> settings) throws IOException {
        Map<String, String> env = new HashMap<>(settings);
        env.put("APPMESH_RESOURCE_ARN", resource);
        env.put("PROXY_CONTROL_API_URL", "http://" + NetworkNamespaces.BRIDGE_ADDRESS + ":" + plane.endpoint().getPort());
        env.put("AWS_ACCESS_KEY_ID", ControlPlane.KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", ControlPlane.SECRET);
        Path data = Files.createDirectories(work.resolve("data-" + ns));
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        env.put("PROXY_DATA_DIR", data.toString());
        env.put("PROXY_ID", ns);
        net.start(ns, 1337, env, work.resolve("proxy-" + ns + ".log"), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-cp", classpath, "io.meshwork.proxy.ProxyMain");
    }

    /** Requests a task's proxy has counted in one direction, all statuses. */
    private long requests(String ns, String direction) {
        String stats = net.exec(ns, Map.of(), "curl", "-s", "http://127.0.0.1:9901/stats/prometheus").output();
        // The output has the command's stderr too: only the exposition's own lines are parsed.
        String exposition = String.join("\n", stats.lines().filter(l -> l.startsWith("meshwork_") || l.startsWith("# ")).toList());
        return (long) PrometheusText.parse(exposition).sum("meshwork_requests_total", "direction", direction);
    }

    /** The health check every App Mesh task definition and pod has for its Envoy, unchanged. */
    private NetworkNamespaces.Result healthCheck(String ns) {
        return net.exec(ns, Map.of(), "sh", "-c", "curl -s http://localhost:9901/server_info | grep state | grep -q LIVE");
    }

    /** A plain HTTP server on the bridge that counts its connections and answers "outside". */
    private static ServerSocket listen(String address, int port, AtomicInteger connections) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port));
        serve(server, connections);
        return server;
    }

    private static void serve(ServerSocket server, AtomicInteger connections) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    s.setSoTimeout(5000);
                    byte[] buf = new byte[4096];
                    s.getInputStream().read(buf);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\noutside\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the next one
                }
            }
        }, "outside-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }
}
