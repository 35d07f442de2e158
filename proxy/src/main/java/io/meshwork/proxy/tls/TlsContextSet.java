package io.meshwork.proxy.tls;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxyapi.Cluster;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.Tls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TLS contexts of one snapshot: one per listener port that takes TLS, one per upstream
 * cluster and port that the proxy originates TLS to, each built on first use and cached until
 * the workload identity changes.
 *
 * <p>Client side, as App Mesh negotiated it: a client policy that enforces and covers the port
 * decides (its certificate, trust and subjectAltNames); without one, a server listener with TLS
 * makes the client encrypt without verifying the server.
 */
final class TlsContextSet {
    private static final TlsContexts.Origination PLAINTEXT = new TlsContexts.Origination(null, List.of());

    /**
     * BoringSSL (netty-tcnative) when it loads on this platform, else the JDK's TLS. Looked up on
     * first use, so a proxy without TLS never loads the native library (its memory stays small).
     */
    private static final class Provider {
        static final SslProvider VALUE = chooseProvider();

        private static SslProvider chooseProvider() {
            boolean boring = io.netty.handler.ssl.OpenSsl.isAvailable();
            org.slf4j.LoggerFactory.getLogger(TlsContexts.class).info("TLS through {}",
                    boring ? "BoringSSL (" + io.netty.handler.ssl.OpenSsl.versionString() + ")" : "the JDK");
            return boring ? SslProvider.OPENSSL : SslProvider.JDK;
        }
    }

    private final ProxySnapshot snapshot;
    private final WorkloadIdentity identity;
    /** The identity current when this set was built, to notice one that arrived while it was being prepared. */
    private final Identity builtWith;
    private final boolean originatesTls;
    private final Map<Integer, SslContext> servers = new ConcurrentHashMap<>();
    /** Per cluster, then per port: a look-up per request that builds no key. */
    private final Map<String, PortOriginations> clients = new ConcurrentHashMap<>();

    /** The contexts of {@code snapshot} (null: none yet, everything plaintext). */
    TlsContextSet(ProxySnapshot snapshot, WorkloadIdentity identity) {
        this.snapshot = snapshot;
        this.identity = identity;
        this.builtWith = identity.current();
        this.originatesTls = snapshot != null && ((snapshot.clientTls() != null && !snapshot.clientTls().isEmpty())
                || (snapshot.clusters() != null && snapshot.clusters().stream()
                .anyMatch(c -> c.listeners() != null && c.listeners().stream().anyMatch(l -> l.tls() != null))));
    }

    ProxySnapshot snapshot() {
        return snapshot;
    }

    /** True when the workload identity is no longer the one the cached contexts were built with. */
    boolean identityChanged() {
        return identity.current() != builtWith;
    }

    /** Drops the cached contexts (a new workload identity): they are rebuilt on next use. */
    void clear() {
        servers.clear();
        clients.clear();
    }

    /**
     * Builds every server context once, so that a setting that cannot be honoured (a missing
     * file, a bad trust) refuses the snapshot instead of failing connections later.
     */
    void buildServers() {
        if (snapshot == null || snapshot.listeners() == null) {
            return;
        }
        for (Listener l : snapshot.listeners()) {
            if (l.tls() != null) {
                try {
                    server(l.port());
                } catch (IllegalStateException notYet) {
                    // No certificate yet (the control plane has not answered): the rest of the configuration
                    // serves; this port refuses connections until the certificate arrives and contexts are rebuilt.
                    servers.remove(l.port());
                }
            }
        }
    }

    /** The TLS settings of a listener port, or null for plaintext. */
    Tls.Server listenerTls(int port) {
        Listener l = listener(port);
        return l == null ? null : l.tls();
    }

    /** The server context of a listener port that takes TLS. */
    SslContext server(int port) {
        return servers.computeIfAbsent(port, p -> {
            Tls.Server tls = listenerTls(p);
            if (tls == null) {
                throw new IllegalStateException("port " + p + " takes no TLS");
            }
            try {
                SslContextBuilder b = serverBuilder(tls.certificate()).sslProvider(Provider.VALUE)
                        .applicationProtocolConfig(alpn(protocolOf(p)));
                if (tls.validation() != null) {
                    b.trustManager(trust(tls.validation()).toArray(new X509Certificate[0])).clientAuth(ClientAuth.REQUIRE);
                }
                return b.build();
            } catch (SSLException e) {
                throw new IllegalArgumentException("listener " + p + ": " + e.getMessage(), e);
            }
        });
    }

    /** How to reach {@code cluster} at {@code port}: TLS or plaintext ({@code context} null). */
    TlsContexts.Origination client(String cluster, int port, Protocol protocol) {
        if (!originatesTls) {
            return PLAINTEXT; // the common case, without a lookup on the request path
        }
        PortOriginations byPort = clients.computeIfAbsent(cluster, c -> new PortOriginations());
        TlsContexts.Origination known = byPort.get(port);
        if (known != null) {
            return known;
        }
        synchronized (byPort) {
            known = byPort.get(port);
            if (known == null) {
                known = origination(cluster, port, protocol);
                byPort.put(port, known);
            }
            return known;
        }
    }

    /** What a connection to {@code cluster}'s {@code port} needs: a client context, or none (plaintext). */
    private TlsContexts.Origination origination(String cluster, int port, Protocol protocol) {
        Tls.Client policy = snapshot.clientTls() == null ? null : snapshot.clientTls().get(cluster);
        try {
            if (policy != null && policy.covers(port)) {
                // Names are App Mesh's subjectAlternativeNames, checked after the handshake, not the dialled host.
                SslContextBuilder b = SslContextBuilder.forClient().sslProvider(Provider.VALUE).endpointIdentificationAlgorithm(null)
                        .applicationProtocolConfig(alpn(protocol));
                if (policy.certificate() != null) {
                    Material m = material(policy.certificate());
                    b.keyManager(m.key(), m.chain().toArray(new X509Certificate[0]));
                }
                b.trustManager(trust(policy.validation()).toArray(new X509Certificate[0]));
                List<String> sans = policy.validation() == null || policy.validation().subjectAlternativeNames() == null
                        ? List.of() : policy.validation().subjectAlternativeNames();
                return new TlsContexts.Origination(b.build(), sans);
            }
            if (serverTakesTls(cluster, port)) {
                // No client policy: the server decides; the client encrypts without verifying it (App Mesh's rule).
                return new TlsContexts.Origination(SslContextBuilder.forClient().sslProvider(Provider.VALUE)
                        .endpointIdentificationAlgorithm(null).trustManager(InsecureTrustManagerFactory.INSTANCE)
                        .applicationProtocolConfig(alpn(protocol)).build(), List.of());
            }
            return PLAINTEXT;
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException("TLS to " + cluster + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The originations of one cluster's ports: read without a lock (a cluster has a port or two,
     * so a scan), added to under the lock of this object, each addition a new array.
     */
    private static final class PortOriginations {
        private record Entry(int port, TlsContexts.Origination origination) {
        }

        private volatile Entry[] entries = new Entry[0];

        TlsContexts.Origination get(int port) {
            for (Entry e : entries) {
                if (e.port() == port) {
                    return e.origination();
                }
            }
            return null;
        }

        void put(int port, TlsContexts.Origination origination) {
            Entry[] grown = Arrays.copyOf(entries, entries.length + 1);
            grown[grown.length - 1] = new Entry(port, origination);
            entries = grown;
        }
    }

    private Listener listener(int port) {
        if (snapshot == null || snapshot.listeners() == null) {
            return null;
        }
        for (Listener l : snapshot.listeners()) {
            if (l.port() == port) {
                return l;
            }
        }
        return null;
    }

    private boolean serverTakesTls(String cluster, int port) {
        if (snapshot.clusters() == null) {
            return false;
        }
        for (Cluster c : snapshot.clusters()) {
            if (c.name().equals(cluster) && c.listeners() != null) {
                for (Listener l : c.listeners()) {
                    if (l.port() == port && l.tls() != null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private record Material(java.security.PrivateKey key, List<X509Certificate> chain) {
    }

    private SslContextBuilder serverBuilder(Tls.Certificate certificate) {
        if (certificate == null) {
            throw new IllegalArgumentException("a TLS listener needs a certificate");
        }
        Material m = material(certificate);
        return SslContextBuilder.forServer(m.key(), m.chain().toArray(new X509Certificate[0]));
    }

    private Material material(Tls.Certificate certificate) {
        // An ACM certificate ARN from an App Mesh configuration maps to the workload identity: the mesh's
        // CA (or its AWS Private CA) issues it, as ACM Private CA did behind App Mesh.
        if (certificate.sds() != null || certificate.acmArn() != null) {
            Identity id = identity.current();
            if (id == null) {
                throw new IllegalStateException("no workload certificate yet (the control plane has not signed one)");
            }
            return new Material(id.key(), id.chain());
        }
        if (certificate.certificateChainFile() != null) {
            return new Material(PemFiles.privateKey(Path.of(certificate.privateKeyFile())),
                    PemFiles.certificates(Path.of(certificate.certificateChainFile())));
        }
        throw new IllegalArgumentException("a certificate needs sds, file or acm");
    }

    private List<X509Certificate> trust(Tls.Validation validation) {
        if (validation == null) {
            throw new IllegalArgumentException("validation is required");
        }
        if (validation.sds() != null || validation.acmCertificateAuthorityArns() != null) { // ACM Private CA trust = the mesh's bundle
            List<X509Certificate> bundle = Pem.certificates(snapshot.trustBundle());
            if (bundle.isEmpty() && identity.current() != null) {
                bundle = identity.current().trustBundle();
            }
            if (bundle.isEmpty()) {
                throw new IllegalStateException("no trust bundle for " + validation.sds());
            }
            return bundle;
        }
        if (validation.file() != null) {
            try {
                return Pem.certificates(Files.readString(Path.of(validation.file())));
            } catch (IOException e) {
                throw new IllegalArgumentException("trust file " + validation.file() + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("a validation needs a trust (sds, file or acm)");
    }

    private Protocol protocolOf(int port) {
        Listener l = listener(port);
        return l == null ? Protocol.HTTP : l.protocol();
    }

    private static ApplicationProtocolConfig alpn(Protocol protocol) {
        if (protocol == Protocol.TCP) {
            return ApplicationProtocolConfig.DISABLED;
        }
        boolean h2 = protocol.http2();
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                h2 ? new String[]{ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1}
                        : new String[]{ApplicationProtocolNames.HTTP_1_1});
    }
}
