package io.meshwork.proxy.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The proxy's certificate in force: its key (generated here, never sent anywhere), the chain it
 * presents (leaf first, then the mesh CA), and the trust bundle the control plane sent with it.
 */
public record Identity(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trustBundle, String serial,
                       long issuedAtMillis, long notAfterMillis) {
    public X509Certificate leaf() {
        return chain.get(0);
    }

    public long lifetimeMillis() {
        return notAfterMillis - issuedAtMillis;
    }
}
