package io.meshwork.proxy.tls;

import io.meshwork.proxyapi.Protocol;
import io.meshwork.proxy.change.PreparedChange;
import io.meshwork.proxyapi.Listener;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.Tls;
import io.netty.handler.ssl.SslContext;

import java.util.List;
import java.util.Objects;

/**
 * The TLS contexts in force, built from the snapshot's App Mesh settings and the workload
 * identity ({@link TlsContextSet}), and rebuilt when either changes; connections already open
 * keep the context they started with, so a new certificate drops nothing. A new snapshot's
 * contexts are prepared apart and switched to whole.
 */
public final class TlsContexts {
    /** How to open TLS to an upstream: the context, and the names the server must carry (empty: any). */
    public record Origination(SslContext context, List<String> subjectAlternativeNames) {
    }

    private final WorkloadIdentity identity;
    private volatile TlsContextSet current;

    public TlsContexts(WorkloadIdentity identity) {
        this.identity = identity;
        this.current = new TlsContextSet(null, identity);
        identity.onChange(i -> current.clear());
    }

    /**
     * Builds a snapshot's contexts without putting them in force: gets the workload identity
     * first if anything uses it, and builds every server context, so that a TLS setting that
     * cannot be honoured (a missing file, an ACM certificate) refuses the snapshot.
     */
    public PreparedChange prepare(ProxySnapshot next) {
        if (usesIdentity(next)) {
            identity.require();
        }
        TlsContextSet prepared = new TlsContextSet(next, identity);
        prepared.buildServers();
        return new PreparedChange() {
            @Override
            public void commit() {
                ProxySnapshot previous = current.snapshot();
                current = prepared;
                if (prepared.identityChanged()) {
                    prepared.clear(); // a certificate arrived while these contexts were built from the one before
                }
                if (previous != null && identity.current() != null && !Objects.equals(previous.trustBundle(), next.trustBundle())) {
                    // A CA rotation: move to a certificate from the new CA now, not at the next scheduled renewal.
                    identity.renewSoon();
                }
            }

            @Override
            public void abort() {
                // nothing was in force; the prepared contexts are dropped with this object
            }
        };
    }

    public Identity identity() {
        return identity.current();
    }

    /** The TLS settings of a listener port, or null for plaintext. */
    public Tls.Server listenerTls(int port) {
        return current.listenerTls(port);
    }

    /** The server context of a listener port that takes TLS. */
    public SslContext server(int port) {
        return current.server(port);
    }

    /** How to reach {@code cluster} at {@code port}: TLS or plaintext ({@code context} null). */
    public Origination client(String cluster, int port, Protocol protocol) {
        return current.client(cluster, port, protocol);
    }

    private static boolean usesIdentity(ProxySnapshot s) {
        if (s.listeners() != null) {
            for (Listener l : s.listeners()) {
                if (l.tls() != null && l.tls().certificate() != null
                        && (l.tls().certificate().sds() != null || l.tls().certificate().acmArn() != null)) {
                    return true;
                }
            }
        }
        if (s.clientTls() != null) {
            for (Tls.Client c : s.clientTls().values()) {
                if (c.certificate() != null && (c.certificate().sds() != null || c.certificate().acmArn() != null)) {
                    return true;
                }
            }
        }
        return false;
    }
}
