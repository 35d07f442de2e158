package io.meshwork.controlapi.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;

/** The key algorithms the CA offers, as AWS Private CA names them (EC_prime256v1, EC_secp384r1, RSA_2048). */
public enum KeyAlgorithm {
    EC_P256("SHA256withECDSA"),
    EC_P384("SHA384withECDSA"),
    RSA_2048("SHA256withRSA");

    private final String signatureAlgorithm;

    KeyAlgorithm(String signatureAlgorithm) {
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** How certificates signed with a key of this algorithm are signed. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public KeyPair generate() {
        try {
            if (this == RSA_2048) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(this == EC_P256 ? "secp256r1" : "secp384r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + this, e);
        }
    }

    /** The algorithm of a key a CSR carries, or null when the CA does not certify such keys (small RSA, other curves). */
    public static KeyAlgorithm of(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits == 256 ? EC_P256 : bits == 384 ? EC_P384 : null;
        }
        if (key instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength() >= 2048 ? RSA_2048 : null;
        }
        return null;
    }
}
