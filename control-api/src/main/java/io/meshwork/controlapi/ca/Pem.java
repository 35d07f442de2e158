package io.meshwork.controlapi.ca;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.openssl.PEMParser;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.util.List;

/** PEM in and out, with BouncyCastle's reader and writer. */
final class Pem {
    private Pem() {
    }

    static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String certificates(List<X509Certificate> certs) {
        return write(certs.toArray());
    }

    /** Every certificate in {@code pem}. */
    static List<X509Certificate> parseAll(String pem) {
        try {
            List<X509Certificate> out = new java.util.ArrayList<>();
            for (var c : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("certificates that do not parse", e);
        }
    }

    /** The one certification request in {@code pem}, or null when it holds none. */
    static PKCS10CertificationRequest csr(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            return o instanceof PKCS10CertificationRequest csr ? csr : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
