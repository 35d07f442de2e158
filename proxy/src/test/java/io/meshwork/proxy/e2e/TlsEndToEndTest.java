package io.meshwork.proxy.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxy.support.ControlPlane;
import io.meshwork.proxy.support.MeshHttp;
import io.meshwork.proxy.support.ProxyProcess;
import io.meshwork.proxy.support.ProxyProcessStats;
import io.meshwork.proxy.support.TestBackend;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Backend;
import software.amazon.awssdk.services.appmesh.model.ClientPolicy;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.ListenerTls;
import software.amazon.awssdk.services.appmesh.model.ListenerTlsMode;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meshwork.proxy.support.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mTLS between two proxies in local mode with Meshwork-issued identities (sds): a node whose
 * listener is STRICT with client validation, called by a node whose client policy enforces TLS;
 * checked from outside with curl and openssl as an operator would. Leaves live 15 s here, so
 * proxies renew every 10 s while the tests run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsEndToEndTest {
    private static final String MESH = "secure";
    private static final String SERVICE = "api.secure.local";
    private static final String TD = "spiffe://meshwork.local";
    private static final String API_ID = TD + "/mesh/secure/virtualNode/api";
    private static final String CLIENT_ID = TD + "/mesh/secure/virtualNode/client";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ControlPlane plane;
    private static AppMeshClient appMesh;
    private static TestBackend app;
    private static ProxyProcess api;
    private static ProxyProcess client;
    private static ProxyProcess db;
    private static TestBackend dbApp;
    private static final String DB_SERVICE = "db.secure.local";
    private static final String DB_ID = TD + "/mesh/secure/virtualNode/db";
    private static Path dir;
    private static final MeshHttp http = new MeshHttp("127.0.0.140");

    @BeforeAll
    static void start() throws Exception {
        plane = ControlPlane.start(Map.of("control-api.ca.leaf-lifetime", "15s"));
        appMesh = plane.client();
        appMesh.createMesh(r -> r.meshName(MESH));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("api").spec(s -> s
                .listeners(apiListener(ListenerTlsMode.STRICT, List.of(CLIENT_ID)))
                .serviceDiscovery(d -> d.dns(x -> x.hostname("127.0.0.141")))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(SERVICE)
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("api")))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("db").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(5432).protocol(PortProtocol.TCP))
                        .tls(ListenerTls.builder().mode(ListenerTlsMode.STRICT).certificate(c -> c.sds(x -> x.secretName(DB_ID)))
                                .validation(v -> v.trust(t -> t.sds(x -> x.secretName(TD)))
                                        .subjectAlternativeNames(n -> n.match(m -> m.exact(CLIENT_ID)))).build()).build())
                .serviceDiscovery(d -> d.dns(x -> x.hostname("127.0.0.142")))));
        appMesh.createVirtualService(r -> r.meshName(MESH).virtualServiceName(DB_SERVICE)
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("db")))));
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("client").spec(clientSpec(API_ID)));
        dir = Files.createTempDirectory("tls-e2e");
        dbApp = TestBackend.tcpEcho("db", "127.0.1.142", 5432);
        db = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/db", "127.0.0.142", "127.0.1.142", dir, Map.of());
        app = TestBackend.http("api", "127.0.1.141", 8443);
        api = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/api", "127.0.0.141", "127.0.1.141", dir, Map.of());
        client = ProxyProcess.start(plane, "mesh/" + MESH + "/virtualNode/client", "127.0.0.140", "127.0.1.140", dir, Map.of());
        api.awaitReady();
        client.awaitReady();
        db.awaitReady();
        plane.awaitProxiesUpToDate(MESH, 3);
        Files.writeString(dir.resolve("bundle.pem"), trustBundle());
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        dbApp.close();
        client.close();
        api.close();
        app.close();
        appMesh.close();
        plane.close();
    }

    @Test
    @Order(1)
    void meshTrafficIsMutuallyAuthenticatedAndOutsidersAreRefused() throws Exception {
        eventually(Duration.ofSeconds(10), () -> assertEquals(200, http.get(SERVICE, "/").statusCode()));
        int before = app.requests();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, http.get(SERVICE, "/").statusCode());
        }
        assertEquals(before + 20, app.requests());

        Curl plaintext = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.141:8443/");
        assertNotEquals(0, plaintext.exit, "STRICT: plaintext is refused (" + plaintext.out + ")");
        Curl noCert = curl("-s", "-o", "/dev/null", "--cacert", dir.resolve("bundle.pem").toString(), "https://127.0.0.141:8443/");
        assertNotEquals(0, noCert.exit, "mTLS: a client without a certificate is refused");

        writeForeignCertificate(dir, CLIENT_ID);
        Curl foreign = curl("-s", "-o", "/dev/null", "-k", "--cert", dir.resolve("foreign.pem").toString(),
                "--key", dir.resolve("foreign.key").toString(), "https://127.0.0.141:8443/");
        assertNotEquals(0, foreign.exit, "a certificate from another CA is refused, even with the right SPIFFE ID");

        Path openssl = dir.resolve("openssl.txt");
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.141:8443", "-CAfile", dir.resolve("bundle.pem").toString(),
                "-cert", dir.resolve("foreign.pem").toString(), "-key", dir.resolve("foreign.key").toString())
                .redirectErrorStream(true).redirectOutput(openssl.toFile()).start();
        try {
            p.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            p.getOutputStream().close();
        } catch (java.io.IOException refusedAlready) {
            // openssl may have ended (handshake refused) before it read anything from us
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        String said = Files.readString(openssl);
        assertTrue(!said.contains("HTTP/1.1 200"), "the foreign client gets no answer: " + said);
        assertEquals(before + 20, app.requests(), "no outsider reached the app");
    }

    @Test
    @Order(2)
    void aMeshCertificateWithTheWrongNameIsRefusedByTheServer() throws Exception {
        // A genuine mesh certificate, but for another node: the listener accepts only the client's SPIFFE ID.
        appMesh.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("intruder").spec(s -> s.listeners(l -> l.portMapping(p -> p.port(8443).protocol(PortProtocol.HTTP)))
                .serviceDiscovery(d -> d.dns(x -> x.hostname("i")))));
        issueFromMeshCa(dir, "mesh/" + MESH + "/virtualNode/intruder");
        Curl intruder = curl("-s", "-o", "/dev/null", "--cacert", dir.resolve("bundle.pem").toString(),
                "--cert", dir.resolve("mesh.pem").toString(), "--key", dir.resolve("mesh.key").toString(), "https://127.0.0.141:8443/");
        assertNotEquals(0, intruder.exit, "the wrong SAN is refused");
    }

    @Test
    @Order(3)
    void theClientRefusesAServerWithTheWrongName() throws Exception {
        int before = app.requests();
        setClientPolicy(TD + "/mesh/secure/virtualNode/somebody-else");
        eventually(Duration.ofSeconds(5), () -> assertEquals(503, http.get(SERVICE, "/").statusCode()));
        assertEquals(before, app.requests(), "nothing reached the server it does not trust");
        setClientPolicy(API_ID);
        eventually(Duration.ofSeconds(5), () -> assertEquals(200, http.get(SERVICE, "/").statusCode()));
    }

    @Test
    @Order(4)
    void permissiveTakesPlaintextAndTls() throws Exception {
        setApiListener(ListenerTlsMode.PERMISSIVE, null);
        eventually(Duration.ofSeconds(5), () -> assertEquals("200",
                curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.141:8443/").out));
        Curl tls = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", dir.resolve("bundle.pem").toString(),
                "--resolve", "api:8443:127.0.0.141", "-k", "https://127.0.0.141:8443/");
        assertEquals("200", tls.out, "TLS too");
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.141:8443", "-CAfile", dir.resolve("bundle.pem").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(said.contains("Verify return code: 0 (ok)"), "the proxy's chain verifies against the mesh trust bundle: " + said);
        assertEquals(200, http.get(SERVICE, "/").statusCode(), "and mesh traffic (TLS from the client's policy)");
        setApiListener(ListenerTlsMode.STRICT, List.of(CLIENT_ID));
        eventually(Duration.ofSeconds(5), () -> assertNotEquals(0, curl("-s", "-o", "/dev/null", "http://127.0.0.141:8443/").exit));
    }

    @Test
    @Order(5)
    void certificatesRotateUnderLoadWithoutAFailedRequest() throws Exception {
        Set<String> serials = new HashSet<>();
        serials.add(serial(api));
        AtomicInteger failed = new AtomicInteger();
        Set<String> why = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(pool.submit(() -> {
                while (running.get()) {
                    try {
                        var r = http.get(SERVICE, "/");
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                            if (why.size() < 5) {
                                why.add(r.statusCode() + " " + r.body());
                            }
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                    done.incrementAndGet();
                }
            }));
        }
        // Under load until both proxies renewed (15 s leaves are renewed at 10 s): the fact, not a fixed time.
        try {
            eventually(Duration.ofSeconds(40), () -> {
                serials.add(serial(api));
                serials.add(serial(client));
                assertTrue(serials.size() >= 4, "both proxies renewed: " + serials);
            });
        } finally {
            running.set(false);
        }
        for (Future<?> f : workers) {
            f.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(0, failed.get(), "no failed request over " + done.get() + " while certificates rotated: " + why);
        assertTrue(serials.size() >= 4, "both proxies renewed (15 s leaves, renewed at 10 s): " + serials);
        JsonNode certs = JSON.readTree(new ProxyProcessStats("127.0.0.141").get("/certs"));
        assertEquals(List.of(API_ID, "127.0.0.141").toString(), certs.at("/certificates/0/subjectAlternativeNames").toString()
                .replace("\"", "").replace(",", ", "));
        assertEquals(0, new ProxyProcessStats("127.0.0.141").stats().value("meshwork_certificate_expiring"));
    }

    @Test
    @Order(6)
    void theRootCaRotatesUnderLoadWithoutAFailedRequest() throws Exception {
        String rootBefore = issuer(api);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Set<String> why = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(pool.submit(() -> {
                while (running.get()) {
                    try {
                        var r = http.get(SERVICE, "/");
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                            why.add(r.statusCode() + " " + r.body());
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        why.add(e.toString());
                    }
                    done.incrementAndGet();
                }
            }));
        }
        try {
            JsonNode rotated = plane.signedPost("/meshwork/v1/certificate-authorities/rotate", "{\"root\": true}");
            int old = -1;
            for (JsonNode ca : rotated.path("certificateAuthorities")) {
                if (ca.path("root").asBoolean() && "RETIRING".equals(ca.path("state").asText())) {
                    old = ca.path("generation").asInt();
                }
            }
            assertTrue(old > 0, rotated.toString());
            // Overlap: both proxies move to certificates under the new root while both roots are trusted.
            eventually(Duration.ofSeconds(15), () -> {
                assertNotEquals(rootBefore, issuer(api));
                assertNotEquals(rootBefore, issuer(client));
            });
            plane.signedPost("/meshwork/v1/certificate-authorities/retire", "{\"root\": true, \"generation\": " + old + "}");
            eventually(Duration.ofSeconds(15), () -> assertEquals(1, JSON.readTree(new ProxyProcessStats("127.0.0.141").get("/certs"))
                    .at("/certificates/0/trustBundleCertificates").asInt(), "the old root is gone from the bundle"));
            int atRetirement = done.get();
            eventually(Duration.ofSeconds(15), () -> assertTrue(done.get() >= atRetirement + 300, "load goes on after the retirement"));
        } finally {
            running.set(false);
            for (Future<?> f : workers) {
                f.get(1, TimeUnit.MINUTES);
            }
            pool.shutdown();
        }
        assertEquals(0, failed.get(), "no failed request over " + done.get() + " during the root rotation: " + why);
        assertTrue(done.get() > 100);
    }

    @Test
    @Order(7)
    void tcpTrafficIsMutuallyAuthenticatedToo() throws Exception {
        // The client's proxy binds the TCP backend's port on its own address (local mode) and opens mTLS to the db's proxy.
        eventually(Duration.ofSeconds(10), () -> assertEquals("ping-1", echo("127.0.0.140", "ping-1")));
        assertEquals("ping-2", echo("127.0.0.140", "ping-2"));
        String plaintext;
        try {
            plaintext = echo("127.0.0.142", "hello");
        } catch (java.io.IOException closedOrTimedOut) {
            plaintext = "";
        }
        assertTrue(!plaintext.contains("hello"), "plaintext to the STRICT TCP listener gets nothing back: " + plaintext);
        writeForeignCertificate(dir, CLIENT_ID);
        Process p = new ProcessBuilder("openssl", "s_client", "-quiet", "-connect", "127.0.0.142:5432",
                "-cert", dir.resolve("foreign.pem").toString(), "-key", dir.resolve("foreign.key").toString())
                .redirectErrorStream(true).start();
        try {
            p.getOutputStream().write("hello-from-outside\n".getBytes());
            p.getOutputStream().close();
        } catch (java.io.IOException refusedAlready) {
            // openssl may have ended (handshake refused) before it read anything from us
        }
        String said = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        assertTrue(!said.contains("hello-from-outside"), "a foreign certificate gets no echo: " + said);
    }

    @Test
    @Order(8)
    void certificatesAndTrustFromFilesWorkToo() throws Exception {
        // An operator's own PKI: openssl makes a CA and a server certificate (traditional EC key file, as openssl writes it).
        Path pki = Files.createDirectories(dir.resolve("pki"));
        run(pki, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=ops CA");
        run(pki, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "api.key");
        run(pki, "openssl", "req", "-new", "-key", "api.key", "-out", "api.csr", "-subj", "/CN=api");
        Files.writeString(pki.resolve("api.ext"), "subjectAltName=DNS:api.ops.internal\n");
        run(pki, "openssl", "x509", "-req", "-in", "api.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "api.pem", "-days", "1", "-extfile", "api.ext");
        ClientPolicy policy = ClientPolicy.builder().tls(t -> t.enforce(true).validation(v -> v
                .trust(x -> x.file(f -> f.certificateChain(pki.resolve("ca.pem").toString())))
                .subjectAlternativeNames(n -> n.match(m -> m.exact("api.ops.internal"))))).build();
        // Both proxies must run the new configuration before curl asks: a request through the client can
        // succeed while neither has switched yet.
        plane.changeAndAwaitProxies(MESH, () -> {
            appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("api").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8443).protocol(PortProtocol.HTTP))
                            .tls(ListenerTls.builder().mode(ListenerTlsMode.STRICT).certificate(c -> c.file(f -> f
                                    .certificateChain(pki.resolve("api.pem").toString()).privateKey(pki.resolve("api.key").toString()))).build()).build())
                    .serviceDiscovery(d -> d.dns(x -> x.hostname("127.0.0.141")))));
            appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("client").spec(s -> s
                    .backends(Backend.builder().virtualService(v -> v.virtualServiceName(SERVICE).clientPolicy(policy)).build())));
        });
        try {
            eventually(Duration.ofSeconds(10), () -> assertEquals(200, http.get(SERVICE, "/").statusCode()));
            Curl verified = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki.resolve("ca.pem").toString(),
                    "--resolve", "api.ops.internal:8443:127.0.0.141", "https://api.ops.internal:8443/");
            assertEquals("200", verified.out, "curl verifies the file certificate against the operator's CA");
        } finally {
            setApiListener(ListenerTlsMode.STRICT, List.of(CLIENT_ID));
            setClientPolicy(API_ID);
        }
    }

    @Test
    @Order(9)
    void aProxyRestartedWhileTheControlPlaneIsDownServesTlsOnceItIsBack() throws Exception {
        eventually(Duration.ofSeconds(10), () -> assertEquals(200, http.get(SERVICE, "/").statusCode()));
        plane.stopServer();
        api.kill();
        api = api.restart(); // its saved configuration is in force at once, but it has no certificate (keys live in memory only)
        api.awaitReady();
        assertNotEquals(200, http.get(SERVICE, "/").statusCode(), "no certificate, no TLS: the client cannot get through");
        plane.startServer();
        eventually(Duration.ofSeconds(15), () -> assertEquals(200, http.get(SERVICE, "/").statusCode()));
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    private static String echo(String address, String text) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address, 5432), 2000);
            s.setSoTimeout(3000);
            s.getOutputStream().write(text.getBytes());
            s.getOutputStream().flush();
            byte[] buf = new byte[text.length()];
            int n = 0;
            while (n < buf.length) {
                int r = s.getInputStream().read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return new String(buf, 0, n);
        }
    }

    /** The root CA the proxy's certificate chains to, as its mesh CA's issuer. */
    private static String issuer(ProxyProcess proxy) throws Exception {
        return JSON.readTree(new ProxyProcessStats(proxy.address()).get("/certs")).at("/certificates/0/rootKeyId").asText();
    }

    // --- helpers -----------------------------------------------------------------------------------

    private static List<Listener> apiListener(ListenerTlsMode mode, List<String> clientNames) {
        ListenerTls.Builder tls = ListenerTls.builder().mode(mode).certificate(c -> c.sds(s -> s.secretName(API_ID)));
        if (clientNames != null) {
            tls.validation(v -> v.trust(t -> t.sds(s -> s.secretName(TD))).subjectAlternativeNames(n -> n.match(m -> m.exact(clientNames))));
        }
        return List.of(Listener.builder().portMapping(p -> p.port(8443).protocol(PortProtocol.HTTP)).tls(tls.build()).build());
    }

    private static void setApiListener(ListenerTlsMode mode, List<String> clientNames) throws Exception {
        plane.changeAndAwaitProxies(MESH, () -> appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("api")
                .spec(s -> s.listeners(apiListener(mode, clientNames)).serviceDiscovery(d -> d.dns(x -> x.hostname("127.0.0.141"))))));
    }

    private static void setClientPolicy(String serverName) throws Exception {
        plane.changeAndAwaitProxies(MESH, () -> appMesh.updateVirtualNode(r -> r.meshName(MESH).virtualNodeName("client")
                .spec(clientSpec(serverName))));
    }

    /** The client's backends, each with a client policy: TLS with its identity, the server checked for {@code serverName}. */
    private static software.amazon.awssdk.services.appmesh.model.VirtualNodeSpec clientSpec(String serverName) {
        ClientPolicy policy = ClientPolicy.builder().tls(t -> t.enforce(true).certificate(c -> c.sds(s -> s.secretName(CLIENT_ID)))
                .validation(v -> v.trust(x -> x.sds(s -> s.secretName(TD))).subjectAlternativeNames(n -> n.match(m -> m.exact(serverName)))))
                .build();
        ClientPolicy dbPolicy = ClientPolicy.builder().tls(t -> t.enforce(true).certificate(c -> c.sds(s -> s.secretName(CLIENT_ID)))
                .validation(v -> v.trust(x -> x.sds(s -> s.secretName(TD))).subjectAlternativeNames(n -> n.match(m -> m.exact(DB_ID)))))
                .build();
        return software.amazon.awssdk.services.appmesh.model.VirtualNodeSpec.builder()
                .backends(Backend.builder().virtualService(v -> v.virtualServiceName(SERVICE).clientPolicy(policy)).build(),
                        Backend.builder().virtualService(v -> v.virtualServiceName(DB_SERVICE).clientPolicy(dbPolicy)).build()).build();
    }

    private static String serial(ProxyProcess proxy) throws Exception {
        return JSON.readTree(new ProxyProcessStats(proxy.address()).get("/certs")).at("/certificates/0/serial").asText();
    }

    private static String trustBundle() throws Exception {
        KeyPair keys = ec();
        JsonNode issued = plane.signedPost("/meshwork/v1/proxies/tls-test/certificate", JSON.createObjectNode()
                .put("resourceArn", "mesh/" + MESH + "/virtualNode/api").put("csr", csr(keys)).toString());
        return issued.path("trustBundle").asText();
    }

    /** A certificate signed by the mesh CA for {@code arn}, as its proxy would get one; written to mesh.pem / mesh.key. */
    private static void issueFromMeshCa(Path dir, String arn) throws Exception {
        KeyPair keys = ec();
        JsonNode issued = plane.signedPost("/meshwork/v1/proxies/tls-test-2/certificate", JSON.createObjectNode()
                .put("resourceArn", arn).put("csr", csr(keys)).toString());
        Files.writeString(dir.resolve("mesh.pem"), issued.path("certificateChain").asText());
        Files.writeString(dir.resolve("mesh.key"), pem(keys.getPrivate()));
    }

    /** A self-signed CA nobody in the mesh trusts, and a leaf from it carrying {@code spiffeId}: foreign.pem / foreign.key. */
    private static void writeForeignCertificate(Path dir, String spiffeId) throws Exception {
        KeyPair ca = ec();
        KeyPair leaf = ec();
        Date from = Date.from(Instant.now().minusSeconds(60));
        Date to = Date.from(Instant.now().plusSeconds(3600));
        X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name("CN=Other CA"),
                BigInteger.ONE, from, to, new X500Name("CN=Other CA"), ca.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
        X509Certificate leafCert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name("CN=Other CA"),
                BigInteger.TWO, from, to, new X500Name("CN=client"), leaf.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
        Files.writeString(dir.resolve("foreign.pem"), pem(leafCert) + pem(caCert));
        Files.writeString(dir.resolve("foreign.key"), pem(leaf.getPrivate()));
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String csr(KeyPair keys) throws Exception {
        return pem(new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(new X500Name("CN=t"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String pem(Object o) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    private record Curl(int exit, String out) {
    }

    private static Curl curl(String... args) {
        try {
            List<String> command = new ArrayList<>(List.of("curl", "--max-time", "5"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return new Curl(p.exitValue(), out);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
