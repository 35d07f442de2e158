package io.meshwork.controlapi.ca;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.bouncycastle.cert.CertIOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Builds the three kinds of certificate with the extensions RFC 5280 and the CA/Browser
 * baseline expect: CAs carry basicConstraints (critical, with a path length), keyCertSign and
 * cRLSign; leaves carry digitalSignature (+ keyEncipherment for RSA), serverAuth and clientAuth
 * (a proxy is both), and their names only in subjectAltName (critical when the subject is empty
 * is not needed: the subject names the workload). Every certificate has subject and authority key
 * identifiers so chains build without guessing.
 */
public final class X509Issuer {
    private static final long BACKDATE_SECONDS = 300; // clocks of peers that are a little behind still accept a new certificate

    private X509Issuer() {
    }

    public record Signer(X509Certificate certificate, PrivateKey key, KeyAlgorithm algorithm) {
    }

    public static X509Certificate root(X500Name subject, PublicKey key, PrivateKey signingKey, KeyAlgorithm algorithm, BigInteger serial,
                                Instant notAfter) {
        return build(subject, subject, key, null, new Signer(null, signingKey, algorithm), serial, notAfter, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    }

    public static X509Certificate subordinate(X500Name subject, PublicKey key, Signer issuer, BigInteger serial, Instant notAfter) {
        return build(X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), subject, key,
                issuer.certificate(), issuer, serial, notAfter, b -> {
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                });
    }

    public static X509Certificate leaf(X500Name subject, PublicKey key, String spiffeId, List<String> dnsNames, Signer issuer,
                                BigInteger serial, Instant notAfter) {
        return build(X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), subject, key,
                issuer.certificate(), issuer, serial, notAfter, b -> {
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    int usage = KeyUsage.digitalSignature | ("RSA".equals(key.getAlgorithm()) ? KeyUsage.keyEncipherment : 0);
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                    b.addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                    List<GeneralName> names = new ArrayList<>();
                    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId));
                    for (String dns : dnsNames) {
                        names.add(new GeneralName(GeneralName.dNSName, dns));
                    }
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
                });
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws CertIOException;
    }

    private static X509Certificate build(X500Name issuerName, X500Name subject, PublicKey key, X509Certificate issuerCert,
                                         Signer signer, BigInteger serial, Instant notAfter, Extensions extensions) {
        try {
            Instant notBefore = Instant.now().minusSeconds(BACKDATE_SECONDS);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, key);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, issuerCert == null
                    ? utils.createAuthorityKeyIdentifier(key) : utils.createAuthorityKeyIdentifier(issuerCert));
            extensions.add(b);
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(signer.algorithm().signatureAlgorithm()).build(signer.key())));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("could not sign a certificate", e);
        }
    }
}
