package io.meshwork.proxy.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Certificates and keys from PEM files (App Mesh's {@code file} certificates), read with BouncyCastle. */
final class PemFiles {
    private PemFiles() {
    }

    static List<X509Certificate> certificates(Path file) {
        try {
            return Pem.certificates(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("certificate chain " + file + ": " + e.getMessage(), e);
        }
    }

    /** A PKCS#8 ("PRIVATE KEY") or traditional ("EC PRIVATE KEY", "RSA PRIVATE KEY") unencrypted key. */
    static PrivateKey privateKey(Path file) {
        try (Reader in = Files.newBufferedReader(file); PEMParser parser = new PEMParser(in)) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("private key " + file + ": no unencrypted private key in it");
        } catch (IOException e) {
            throw new IllegalArgumentException("private key " + file + ": " + e.getMessage(), e);
        }
    }
}
