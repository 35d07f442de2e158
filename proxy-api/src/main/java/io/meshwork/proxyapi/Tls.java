package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * App Mesh's TLS settings as the proxy applies them. A listener's {@link Server} says whether the
 * port takes TLS and which certificate it presents; a {@link Client} policy says whether the
 * calling proxy originates TLS to a node and how it checks the server.
 */
public final class Tls {
    private Tls() {
    }

    /** Where a certificate comes from: exactly one of sds (the proxy's Meshwork-issued identity), file paths, or an ACM ARN. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Certificate(String sds, String certificateChainFile, String privateKeyFile, String acmArn) {
    }

    /**
     * How a peer is checked: trust anchors (the mesh trust bundle when {@code sds} names it, or a
     * file, or ACM Private CA ARNs) and, when listed, the exact subjectAltNames it must carry.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Validation(String sds, String file, List<String> acmCertificateAuthorityArns, List<String> subjectAlternativeNames) {
    }

    /** A listener's TLS mode; App Mesh's DISABLED is no {@link Server} at all. */
    public enum Mode {
        /** TLS only. */
        STRICT,
        /** TLS or plaintext, told apart by the first bytes. */
        PERMISSIVE
    }

    /**
     * A listener's TLS: {@code mode}; with {@code validation}, clients must present a certificate
     * that passes it (mTLS).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Server(Mode mode, Certificate certificate, Validation validation) {
        public boolean strict() {
            return mode == Mode.STRICT;
        }
    }

    /**
     * A client policy: when {@code enforce}, TLS to the node on {@code ports} (empty: all), with
     * an optional client certificate, validating the server as {@code validation} says.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Client(boolean enforce, List<Integer> ports, Certificate certificate, Validation validation) {
        public boolean covers(int port) {
            return enforce && (ports == null || ports.isEmpty() || ports.contains(port));
        }
    }
}
