package io.meshwork.proxy.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Certificates out of PEM text, with the JDK's own parser. */
final class Pem {
    private Pem() {
    }

    static List<X509Certificate> certificates(String pem) {
        if (pem == null || pem.isBlank()) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not PEM certificates: " + e.getMessage(), e);
        }
    }
}
