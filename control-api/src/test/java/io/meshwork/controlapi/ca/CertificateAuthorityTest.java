package io.meshwork.controlapi.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.controlapi.store.CaStore;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.NodeSpecs;
import io.meshwork.controlapi.support.SignedHttp;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workload certificates through the real API: what a proxy gets for its CSR, and what it does not. */
class CertificateAuthorityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "mesh/pay/virtualNode/ledger";
    private static ControlApiServer server;
    private static SignedHttp http;

    @BeforeAll
    static void start() {
        server = ControlApiServer.start();
        http = new SignedHttp(server.endpoint());
        try (AppMeshClient c = server.client()) {
            c.createMesh(r -> r.meshName("pay"));
            c.createVirtualNode(r -> r.meshName("pay").virtualNodeName("ledger").spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8443).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname("ledger.pay.local")))));
            c.createVirtualNode(r -> r.meshName("pay").virtualNodeName("web").spec(s -> NodeSpecs.dns(s, "web.pay.local")));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aProxyGetsAShortLivedLeafWithItsSpiffeIdChainedToTheTrustBundle() throws Exception {
        KeyPair keys = ec();
        JsonNode issued = issue("ledger-1", NODE, csr(keys), null, null);
        List<X509Certificate> chain = certificates(issued.path("certificateChain").asText());
        List<X509Certificate> roots = certificates(issued.path("trustBundle").asText());
        assertEquals(2, chain.size(), "the leaf and the mesh CA");
        assertEquals(1, roots.size());
        X509Certificate leaf = chain.get(0);
        X509Certificate meshCa = chain.get(1);
        assertEquals(keys.getPublic(), leaf.getPublicKey(), "the certificate is for the CSR's key");

        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain),
                pkix(roots.get(0)));
        Set<String> sans = new HashSet<>();
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
            sans.add(san.get(0) + ":" + san.get(1));
        }
        assertEquals(Set.of("6:spiffe://meshwork.local/mesh/pay/virtualNode/ledger", "2:ledger.pay.local"), sans);
        assertEquals("spiffe://meshwork.local/mesh/pay/virtualNode/ledger", issued.path("spiffeId").asText());
        assertEquals(-1, leaf.getBasicConstraints(), "a leaf is not a CA");
        assertTrue(leaf.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "serverAuth and clientAuth");
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
        assertEquals(0, meshCa.getBasicConstraints(), "the mesh CA signs leaves only");
        assertEquals(1, roots.get(0).getBasicConstraints());
        assertTrue(meshCa.getKeyUsage()[5], "keyCertSign");
        long hours = TimeUnit.MILLISECONDS.toHours(leaf.getNotAfter().getTime() - System.currentTimeMillis());
        assertTrue(hours >= 23 && hours <= 24, "24 h by default: " + hours);
        assertEquals("SHA256withECDSA", leaf.getSigAlgName());
        assertEquals(leaf.getSerialNumber().toString(16), issued.path("serial").asText());

        // openssl, as an operator would check it
        Path dir = Files.createTempDirectory("ca-test");
        Files.writeString(dir.resolve("root.pem"), issued.path("trustBundle").asText());
        Files.writeString(dir.resolve("leaf.pem"), pem(leaf));
        Files.writeString(dir.resolve("mesh.pem"), pem(meshCa));
        Process openssl = new ProcessBuilder("openssl", "verify", "-CAfile", "root.pem", "-untrusted", "mesh.pem", "leaf.pem")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(openssl.getInputStream().readAllBytes());
        assertEquals(0, openssl.waitFor(), out);
        assertTrue(out.contains("leaf.pem: OK"), out);

        // Operators see which certificate each proxy holds.
        assertEquals(200, http.send("PUT", "/meshwork/v1/proxies/ledger-1", ("{\"resourceArn\":\"" + NODE + "\"}")
                .getBytes(StandardCharsets.UTF_8)).statusCode());
        JsonNode listed = JSON.readTree(http.send("GET", "/meshwork/v1/proxies", null).body());
        JsonNode proxy = null;
        for (JsonNode p : listed.path("proxies")) {
            if (p.path("proxyId").asText().equals("ledger-1")) {
                proxy = p;
            }
        }
        assertEquals(issued.path("serial").asText(), proxy.path("certificate").path("serial").asText(), listed.toString());
        assertEquals(issued.path("notAfter").asDouble(), proxy.path("certificate").path("notAfter").asDouble(), 0.001);
    }

    @Test
    void serialsNeverRepeatAndEveryMeshGetsItsOwnSubordinateCa() throws Exception {
        Set<String> serials = new HashSet<>();
        String csr = csr(ec());
        for (int i = 0; i < 100; i++) {
            assertTrue(serials.add(issue("ledger-s", NODE, csr, null, null).path("serial").asText()));
        }
        try (AppMeshClient c = server.client()) {
            c.createMesh(r -> r.meshName("other"));
            c.createVirtualNode(r -> r.meshName("other").virtualNodeName("n").spec(s -> NodeSpecs.dns(s, "n.local")));
        }
        X509Certificate a = certificates(issue("x", NODE, csr, null, null).path("certificateChain").asText()).get(1);
        X509Certificate b = certificates(issue("y", "mesh/other/virtualNode/n", csr, null, null).path("certificateChain").asText()).get(1);
        assertFalse(a.getSubjectX500Principal().equals(b.getSubjectX500Principal()), "one subordinate CA per mesh");
        assertEquals(a.getIssuerX500Principal(), b.getIssuerX500Principal(), "under one root");
    }

    @Test
    void onlyAKeyAllowedOnTheNodeGetsItsCertificateAndBadCsrsAreRefused() throws Exception {
        JsonNode key = JSON.readTree(http.send("POST", "/meshwork/v1/access-keys", ("{\"name\":\"web-proxy\",\"policy\":{\"Statement\":"
                + "[{\"Effect\":\"Allow\",\"Action\":\"appmesh:StreamAggregatedResources\",\"Resource\":"
                + "\"arn:aws:appmesh:us-east-1:000000000000:mesh/pay/virtualNode/web\"}]}}").getBytes(StandardCharsets.UTF_8)).body());
        String id = key.path("accessKeyId").asText();
        String secret = key.path("secretAccessKey").asText();
        String csr = csr(ec());
        assertEquals(200, post("w-1", "mesh/pay/virtualNode/web", csr, id, secret));
        assertEquals(403, post("w-1", NODE, csr, id, secret), "not the ledger's certificate");

        assertEquals(400, post("p", NODE, "not a csr", null, null));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        assertEquals(400, post("p", NODE, csr(rsa.generateKeyPair(), "SHA256withRSA"), null, null), "RSA 1024 is refused");
        String tampered = csr.replace(csr.substring(80, 84), new StringBuilder(csr.substring(80, 84)).reverse().toString());
        if (!tampered.equals(csr)) {
            assertEquals(400, post("p", NODE, tampered, null, null), "a CSR whose signature does not verify");
        }
    }

    @Test
    void caKeysAreEncryptedAtRest() throws Exception {
        issue("k", NODE, csr(ec()), null, null);
        Database db = server.context().getBean(Database.class);
        CaStore cas = server.context().getBean(CaStore.class);
        List<String> stored = db.inTransaction(tx -> Stream.concat(cas.trusted(tx, CaStore.ROOT).stream(),
                cas.trusted(tx, "pay").stream()).map(CaStore.CaRow::encryptedKey).toList());
        assertTrue(stored.size() >= 2, "root and mesh CA");
        for (String s : stored) {
            assertFalse(s.contains("PRIVATE KEY"));
            byte[] raw = java.util.Base64.getDecoder().decode(s);
            assertFalse(new String(raw, StandardCharsets.ISO_8859_1).contains("\u0030\u0082"), "not a bare PKCS#8 structure");
        }
    }

    private static JsonNode issue(String proxy, String arn, String csr, String id, String secret) throws Exception {
        var response = send(proxy, arn, csr, id, secret);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static int post(String proxy, String arn, String csr, String id, String secret) throws Exception {
        return send(proxy, arn, csr, id, secret).statusCode();
    }

    private static java.net.http.HttpResponse<String> send(String proxy, String arn, String csr, String id, String secret) throws Exception {
        byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("resourceArn", arn).put("csr", csr));
        return id == null ? http.send("POST", "/meshwork/v1/proxies/" + proxy + "/certificate", body)
                : http.send("POST", "/meshwork/v1/proxies/" + proxy + "/certificate", body, id, secret, Instant.now());
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static String csr(KeyPair keys) throws Exception {
        return csr(keys, "SHA256withECDSA");
    }

    static String csr(KeyPair keys, String algorithm) throws Exception {
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=proxy"), keys.getPublic())
                .build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate()));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(request);
        }
        return out.toString();
    }

    private static String pem(X509Certificate cert) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(cert);
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    static List<X509Certificate> certificates(String pem) throws Exception {
        Collection<X509Certificate> certs = (Collection<X509Certificate>) CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        return new ArrayList<>(certs);
    }

    private static PKIXParameters pkix(X509Certificate root) throws Exception {
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        return p;
    }
}
