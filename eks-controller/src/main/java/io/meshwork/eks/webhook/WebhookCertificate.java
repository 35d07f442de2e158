package io.meshwork.eks.webhook;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The webhook's serving certificate: {@code tls.crt} and {@code tls.key} from
 * {@code MESHWORK_WEBHOOK_CERT_DIR} (cert-manager's or the user's), or, when there are none, a
 * certificate made here under a CA made here, whose PEM the controller writes into its webhook
 * configurations' {@code caBundle} (as App Mesh's chart did with its own CA).
 */
public final class WebhookCertificate {
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final String caBundle;

    private WebhookCertificate(List<X509Certificate> chain, PrivateKey key, String caBundle) {
        this.chain = chain;
        this.key = key;
        this.caBundle = caBundle;
    }

    /** {@code tls.crt} and {@code tls.key} of {@code dir} (cert-manager's, or the user's), if both are there. */
    public static java.util.Optional<WebhookCertificate> load(Path dir) throws IOException, GeneralSecurityException {
        Path crt = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        if (Files.isReadable(crt) && Files.isReadable(key)) {
            return java.util.Optional.of(fromPem(Files.readString(crt), Files.readString(key), null));
        }
        return java.util.Optional.empty();
    }

    /** A certificate chain and key in PEM; {@code caBundle} the PEM of the CAs to trust it by (null: someone else's). */
    public static WebhookCertificate fromPem(String chainPem, String keyPem, String caBundle) throws IOException, GeneralSecurityException {
        return new WebhookCertificate(readCertificates(chainPem), readKey(keyPem), caBundle);
    }

    public String chainPem() throws IOException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : chain) {
            out.append(pem(c));
        }
        return out.toString();
    }

    public String keyPem() throws IOException {
        return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate());
    }

    /** Whether it is still good for {@code margin} and names {@code dnsName}. */
    public boolean usableFor(String dnsName, Duration margin) throws GeneralSecurityException {
        X509Certificate serving = chain.get(0);
        if (serving.getNotAfter().toInstant().isBefore(Instant.now().plus(margin))) {
            return false;
        }
        var names = serving.getSubjectAlternativeNames();
        return names != null && names.stream().anyMatch(n -> dnsName.equals(n.get(1)));
    }

    /** A one-year CA and a serving certificate for {@code dnsNames} under it. */
    public static WebhookCertificate generate(List<String> dnsNames) throws GeneralSecurityException {
        try {
            KeyPair caKeys = keyPair();
            Instant now = Instant.now();
            X500Name caName = new X500Name("CN=meshwork-controller-ca");
            var caBuilder = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(365))), caName, caKeys.getPublic());
            caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate ca = certificate(caBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

            KeyPair serverKeys = keyPair();
            var builder = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(365))), new X500Name("CN=" + dnsNames.get(0)), serverKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(n.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, n)));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate server = certificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
            return new WebhookCertificate(List.of(server, ca), serverKeys.getPrivate(), pem(ca));
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException("cannot make the webhook's certificate: " + e.getMessage(), e);
        }
    }

    /** The CA's PEM to put in the webhook configurations; null when the certificate was given (its issuer is someone else's). */
    public String caBundle() {
        return caBundle;
    }

    /** The server side of TLS for Netty: this key and chain. */
    public io.netty.handler.ssl.SslContext nettyContext() throws javax.net.ssl.SSLException {
        return io.netty.handler.ssl.SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).build();
    }

    public X509Certificate serving() {
        return chain.get(0);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom());
    }

    private static X509Certificate certificate(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static List<X509Certificate> readCertificates(String pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    certificates.add(certificate(holder));
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("tls.crt holds no certificate");
        }
        return certificates;
    }

    private static PrivateKey readKey(String pem) throws IOException, GeneralSecurityException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        }
        throw new GeneralSecurityException("tls.key holds no private key (PEM: PKCS#8, PKCS#1 or SEC1)");
    }
}
