package io.meshwork.controlapi.ca;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every CA key algorithm signs a root, a mesh CA and a leaf that chain, with the limits a CA must keep. */
class X509IssuerTest {
    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void aChainOfEveryAlgorithmValidates(KeyAlgorithm algorithm) throws Exception {
        KeyPair rootKeys = algorithm.generate();
        X509Certificate root = X509Issuer.root(new X500Name("CN=root"), rootKeys.getPublic(), rootKeys.getPrivate(), algorithm,
                BigInteger.valueOf(1), Instant.now().plusSeconds(3600));
        KeyPair meshKeys = algorithm.generate();
        X509Certificate mesh = X509Issuer.subordinate(new X500Name("CN=mesh"), meshKeys.getPublic(),
                new X509Issuer.Signer(root, rootKeys.getPrivate(), algorithm), BigInteger.valueOf(2), Instant.now().plusSeconds(3600));
        KeyPair leafKeys = KeyAlgorithm.EC_P256.generate();
        X509Issuer.Signer meshSigner = new X509Issuer.Signer(mesh, meshKeys.getPrivate(), algorithm);
        X509Certificate leaf = X509Issuer.leaf(new X500Name("CN=leaf"), leafKeys.getPublic(), "spiffe://td/mesh/m/virtualNode/n",
                List.of("n.local"), meshSigner, BigInteger.valueOf(3), Instant.now().plusSeconds(600));
        assertEquals(algorithm.signatureAlgorithm(), leaf.getSigAlgName());
        validate(root, leaf, mesh);

        // Path length 0: a certificate signed by the leaf's key as if it were a CA does not validate.
        X509Certificate forged = X509Issuer.leaf(new X500Name("CN=forged"), KeyAlgorithm.EC_P256.generate().getPublic(),
                "spiffe://td/mesh/m/virtualNode/evil", List.of(), new X509Issuer.Signer(leaf, leafKeys.getPrivate(), KeyAlgorithm.EC_P256),
                BigInteger.valueOf(4), Instant.now().plusSeconds(600));
        assertThrows(java.security.cert.CertPathValidatorException.class, () -> validate(root, forged, leaf, mesh));
    }

    private static void validate(X509Certificate root, X509Certificate... chain) throws Exception {
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(chain)), p);
    }
}
