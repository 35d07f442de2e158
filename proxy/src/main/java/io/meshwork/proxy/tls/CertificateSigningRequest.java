package io.meshwork.proxy.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;

/**
 * The PKCS#10 request a proxy sends for its workload certificate, signed with its own key (which
 * never leaves it). A class of its own so that BouncyCastle is loaded only by proxies that ask for a
 * certificate: its jars are signed, and the JVM verifies a signed jar when it first loads a class from
 * it (about a tenth of a second of a start), which a proxy without TLS should not pay.
 */
final class CertificateSigningRequest {
    private CertificateSigningRequest() {
    }

    /** The request for {@code commonName} as PEM ({@code -----BEGIN CERTIFICATE REQUEST-----}). */
    static String pem(KeyPair keys, String commonName) {
        try {
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            var request = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(request);
            }
            return out.toString();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("could not build the CSR", e);
        }
    }
}
