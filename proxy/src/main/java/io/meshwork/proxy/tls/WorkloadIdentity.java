package io.meshwork.proxy.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The proxy's workload identity. Its EC P-256 key is generated here at start and never leaves
 * the process: only a CSR goes to the control plane, which answers with a short-lived leaf
 * (SPIFFE ID {@code spiffe://<trust domain>/mesh/<mesh>/virtualNode/<node>}) and the trust
 * bundle. The certificate is renewed at two-thirds of its lifetime; if renewal fails the proxy
 * keeps serving on the one it has, retrying every few seconds, until that one expires.
 */
public final class WorkloadIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadIdentity.class);
    private static final long RETRY_MILLIS = 2_000;

    private final CertificateSource source;
    private final String commonName;
    private KeyPair keys;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "identity");
        t.setDaemon(true);
        return t;
    });
    private volatile Identity current;
    private volatile Consumer<Identity> onChange = i -> { };
    private volatile boolean wanted;
    private long generation;

    public WorkloadIdentity(CertificateSource source, String commonName) {
        this.source = source;
        this.commonName = commonName;
    }

    /** The key, generated when the configuration first asks for an identity (a proxy without TLS never makes one). */
    private synchronized KeyPair keys() {
        if (keys == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                keys = g.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no EC P-256 key generator", e);
            }
        }
        return keys;
    }

    /** Where new identities go (the TLS contexts). */
    public void onChange(Consumer<Identity> listener) {
        this.onChange = listener;
    }

    public Identity current() {
        return current;
    }

    /**
     * Makes sure an identity exists (the configuration asks for one): the first time, fetches it
     * before returning, so listeners that need it start with it; renewals are scheduled.
     */
    public synchronized void require() {
        if (wanted && current != null) {
            return;
        }
        wanted = true;
        if (current == null) {
            try {
                renew();
            } catch (RuntimeException e) {
                LOG.warn("no certificate yet ({}); retrying", e.getMessage());
                schedule(RETRY_MILLIS);
            }
        }
    }

    /** Asks for a new certificate in the background, as soon as possible (the trust bundle changed). */
    public synchronized void renewSoon() {
        if (wanted) {
            schedule(0);
        }
    }

    /** Asks for a new certificate now (the admin endpoint, tests); true when one arrived. */
    public boolean renewNow() {
        try {
            renew();
            return true;
        } catch (RuntimeException e) {
            LOG.warn("certificate renewal failed: {}", e.getMessage());
            return false;
        }
    }

    private synchronized void renew() {
        long started = System.currentTimeMillis();
        io.meshwork.proxyapi.CertificateRequest.Issued issued;
        try {
            issued = source.issue(csr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        Identity next = new Identity(keys().getPrivate(), Pem.certificates(issued.certificateChain()),
                Pem.certificates(issued.trustBundle()), issued.serial(), started, issued.notAfterMillis());
        current = next;
        LOG.info("certificate {} in force until {} ({})", next.serial(), java.time.Instant.ofEpochMilli(next.notAfterMillis()),
                SubjectNames.of(next.leaf()));
        onChange.accept(next);
        schedule(Math.max(1_000, next.lifetimeMillis() * 2 / 3 - (System.currentTimeMillis() - started)));
    }

    private void schedule(long delayMillis) {
        long mine = ++generation;
        timer.schedule(() -> {
            synchronized (this) {
                if (mine != generation) {
                    return;
                }
            }
            try {
                renew();
            } catch (RuntimeException e) {
                Identity held = current;
                long left = held == null ? 0 : held.notAfterMillis() - System.currentTimeMillis();
                LOG.warn("certificate renewal failed ({}); {}", e.getMessage(), held == null ? "still none"
                        : "serving on " + held.serial() + " for another " + left / 1000 + " s");
                schedule(RETRY_MILLIS);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private String csr() {
        return CertificateSigningRequest.pem(keys(), commonName);
    }

    public void close() {
        timer.shutdownNow();
    }
}
