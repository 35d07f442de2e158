package io.meshwork.controlapi.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cloudmap.testing.MotoServer;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.NodeSpecs;
import io.meshwork.controlapi.support.SignedHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.acmpca.AcmPcaClient;
import software.amazon.awssdk.services.acmpca.model.CertificateAuthorityType;
import software.amazon.awssdk.services.acmpca.model.KeyAlgorithm;
import software.amazon.awssdk.services.acmpca.model.SigningAlgorithm;
import software.amazon.awssdk.services.acmpca.model.ValidityPeriodType;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A mesh whose certificates come from AWS Private CA (moto_server's acm-pca on loopback): the
 * proxy's CSR goes through IssueCertificate and GetCertificate, and the CA's certificate becomes
 * the mesh's trust bundle. (moto ignores APIPassthrough, validity and the signing algorithm, so
 * those are not asserted here; Meshwork's own CA is tested for them.)
 */
class PrivateCaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MotoServer moto;
    private static AcmPcaClient pca;
    private static String caArn;
    private static X509Certificate caCert;
    private static ControlApiServer server;

    @BeforeAll
    static void start() throws Exception {
        moto = new MotoServer();
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        pca = AcmPcaClient.builder().region(Region.US_EAST_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true)).build();
        // An operator's root CA in Private CA, set up as on AWS.
        caArn = pca.createCertificateAuthority(r -> r.certificateAuthorityType(CertificateAuthorityType.ROOT)
                .certificateAuthorityConfiguration(c -> c.keyAlgorithm(KeyAlgorithm.RSA_2048).signingAlgorithm(SigningAlgorithm.SHA256_WITHRSA)
                        .subject(s -> s.commonName("Payments Private CA").organization("Example")))).certificateAuthorityArn();
        String csr = pca.getCertificateAuthorityCsr(r -> r.certificateAuthorityArn(caArn)).csr();
        String rootArn = pca.issueCertificate(r -> r.certificateAuthorityArn(caArn).csr(SdkBytes.fromUtf8String(csr))
                .signingAlgorithm(SigningAlgorithm.SHA256_WITHRSA).templateArn("arn:aws:acm-pca:::template/RootCACertificate/V1")
                .validity(v -> v.type(ValidityPeriodType.DAYS).value(365L))).certificateArn();
        String rootPem = pca.getCertificate(r -> r.certificateAuthorityArn(caArn).certificateArn(rootArn)).certificate();
        pca.importCertificateAuthorityCertificate(r -> r.certificateAuthorityArn(caArn).certificate(SdkBytes.fromUtf8String(rootPem)));
        caCert = CertificateAuthorityTest.certificates(rootPem).get(0);

        server = ControlApiServer.start(Map.of("control-api.ca.private-ca-endpoint", moto.endpoint().toString()));
        try (AppMeshClient c = server.client()) {
            c.createMesh(r -> r.meshName("pca"));
            c.createVirtualNode(r -> r.meshName("pca").virtualNodeName("ledger").spec(s -> NodeSpecs.dns(s, "ledger.pca.local")));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
        pca.close();
        moto.close();
    }

    @Test
    void aMeshWithAPrivateCaGetsItsCertificatesFromIt() throws Exception {
        SignedHttp http = new SignedHttp(server.endpoint());
        assertEquals(400, http.send("PUT", "/meshwork/v1/certificate-authorities/private-ca",
                "{\"mesh\":\"pca\",\"certificateAuthorityArn\":\"not-an-arn\"}".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(400, http.send("PUT", "/meshwork/v1/certificate-authorities/private-ca", ("{\"mesh\":\"pca\",\"certificateAuthorityArn\":"
                + "\"arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000\"}")
                .getBytes(StandardCharsets.UTF_8)).statusCode(), "a CA that does not answer is refused");
        var set = http.send("PUT", "/meshwork/v1/certificate-authorities/private-ca",
                ("{\"mesh\":\"pca\",\"certificateAuthorityArn\":\"" + caArn + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(caArn, JSON.readTree(set.body()).at("/privateCertificateAuthorities/0/certificateAuthorityArn").asText());

        KeyPair keys = CertificateAuthorityTest.ec();
        var response = http.send("POST", "/meshwork/v1/proxies/ledger-1/certificate", JSON.writeValueAsBytes(JSON.createObjectNode()
                .put("resourceArn", "mesh/pca/virtualNode/ledger").put("csr", CertificateAuthorityTest.csr(keys))));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode issued = JSON.readTree(response.body());
        List<X509Certificate> chain = CertificateAuthorityTest.certificates(issued.path("certificateChain").asText());
        X509Certificate leaf = chain.get(0);
        assertEquals(keys.getPublic(), leaf.getPublicKey(), "for the proxy's key");
        assertEquals(caCert.getSubjectX500Principal(), leaf.getIssuerX500Principal(), "issued by the Private CA");
        leaf.verify(caCert.getPublicKey());
        List<X509Certificate> bundle = CertificateAuthorityTest.certificates(issued.path("trustBundle").asText());
        assertEquals(List.of(caCert), bundle, "the mesh trusts its Private CA");
        assertEquals(leaf.getSerialNumber().toString(16), issued.path("serial").asText());

        // Back to Meshwork's CA.
        assertEquals(200, http.send("PUT", "/meshwork/v1/certificate-authorities/private-ca",
                "{\"mesh\":\"pca\",\"certificateAuthorityArn\":null}".getBytes(StandardCharsets.UTF_8)).statusCode());
        JsonNode own = JSON.readTree(http.send("POST", "/meshwork/v1/proxies/ledger-1/certificate", JSON.writeValueAsBytes(JSON.createObjectNode()
                .put("resourceArn", "mesh/pca/virtualNode/ledger").put("csr", CertificateAuthorityTest.csr(keys)))).body());
        X509Certificate ownLeaf = CertificateAuthorityTest.certificates(own.path("certificateChain").asText()).get(0);
        assertEquals(true, ownLeaf.getIssuerX500Principal().getName().contains("Meshwork mesh CA pca"), ownLeaf.getIssuerX500Principal().getName());
    }
}
