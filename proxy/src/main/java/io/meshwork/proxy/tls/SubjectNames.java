package io.meshwork.proxy.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** A certificate's subjectAltNames that App Mesh matches: URIs (SPIFFE IDs) and DNS names. */
public final class SubjectNames {
    private static final int DNS = 2;
    private static final int URI = 6;

    private SubjectNames() {
    }

    public static List<String> of(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            var names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    int type = (Integer) name.get(0);
                    if (type == DNS || type == URI) {
                        out.add((String) name.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no readable names: matches nothing
        }
        return out;
    }

    /** The peer's leaf certificate on a finished TLS handshake, or null when it sent none. */
    public static X509Certificate peer(io.netty.handler.ssl.SslHandler ssl) {
        try {
            var certs = ssl.engine().getSession().getPeerCertificates();
            return certs.length == 0 ? null : (X509Certificate) certs[0];
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /**
     * Why the peer of a finished handshake is refused, or null when it carries one of {@code wanted}
     * (an empty list accepts any peer the trust accepted).
     */
    public static String refusal(io.netty.handler.ssl.SslHandler ssl, List<String> wanted) {
        if (wanted.isEmpty()) {
            return null;
        }
        X509Certificate peer = peer(ssl);
        if (peer != null && matches(peer, wanted)) {
            return null;
        }
        return "its certificate names " + (peer == null ? "nothing" : of(peer)) + ", none of " + wanted;
    }

    /** Whether the peer carries one of {@code wanted} exactly (App Mesh's {@code match.exact}). */
    public static boolean matches(X509Certificate peer, List<String> wanted) {
        for (String name : of(peer)) {
            if (wanted.contains(name)) {
                return true;
            }
        }
        return false;
    }
}
