package io.meshwork.controlapi.ca;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.auth.keys.SecretCipher;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.store.CaStore;
import io.meshwork.controlapi.store.CaStore.CaRow;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.ResourceStore;
import io.meshwork.controlapi.store.StoredResource;
import jakarta.inject.Singleton;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues workload certificates: a root CA per trust domain, a subordinate CA per mesh (created on
 * first use, in the store so every replica signs with the same one), and leaves for proxies from
 * their CSRs, with the SPIFFE ID {@code spiffe://<trust domain>/mesh/<mesh>/<kind>/<name>} and the
 * node's DNS names as subjectAltNames. The proxy's key never comes here: only its CSR.
 */
@Singleton
public final class MeshCertificateAuthority {
    private static final Logger LOG = LoggerFactory.getLogger(MeshCertificateAuthority.class);

    /** A signed leaf with the chain to present, and the trust anchors to verify peers with. */
    public record Issued(String certificateChain, String trustBundle, String serial, long notAfterMillis) {
    }

    private final Database database;
    private final CaStore store;
    private final ResourceStore resources;
    private final SecretCipher cipher;
    private final PrivateCaIssuer privateCa;
    private final CaSettings settings;
    private final String trustDomain;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Active CAs, re-read every few seconds so a rotation through another replica is seen here too. */
    private final Map<String, Cached> signers = new ConcurrentHashMap<>();
    private static final long CACHE_MILLIS = 5_000;

    private record Cached(X509Issuer.Signer signer, long loadedAt) {
    }

    MeshCertificateAuthority(Database database, CaStore store, ResourceStore resources, SecretCipher cipher, CaSettings settings,
                             ControlApiSettings api, Clock clock, PrivateCaIssuer privateCa) {
        this.privateCa = privateCa;
        this.database = database;
        this.store = store;
        this.resources = resources;
        this.cipher = cipher;
        this.settings = settings;
        this.trustDomain = api.trustDomain();
        this.clock = clock;
    }

    public String spiffeId(ResourceKey resource) {
        return "spiffe://" + trustDomain + "/mesh/" + resource.mesh() + "/" + resource.kind().arnSegment() + "/" + resource.name();
    }

    /** Signs {@code csrPem} for a proxy of {@code resource}; BadRequest for a CSR that is not one, or whose key the CA does not certify. */
    public Issued issue(ResourceKey resource, String proxyId, String csrPem) {
        PKCS10CertificationRequest csr = csrPem == null ? null : Pem.csr(csrPem);
        if (csr == null) {
            throw AppMeshException.badRequest("'csr' must be a PEM certification request (-----BEGIN CERTIFICATE REQUEST-----)");
        }
        PublicKey key;
        try {
            key = publicKey(csr);
            if (key == null) {
                throw AppMeshException.badRequest("the CSR's key must be EC P-256, EC P-384 or RSA of at least 2048 bits");
            }
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw AppMeshException.badRequest("the CSR's signature does not verify: it was not signed with its own key");
            }
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException | IOException e) {
            throw AppMeshException.badRequest("the CSR cannot be verified: " + e.getMessage());
        }
        if (KeyAlgorithm.of(key) == null) {
            throw AppMeshException.badRequest("the CSR's key must be EC P-256, EC P-384 or RSA of at least 2048 bits");
        }
        Instant now = clock.instant();
        Optional<String> privateCa = database.inTransaction(tx -> store.privateCa(tx, resource.mesh()));
        if (privateCa.isPresent()) {
            return issueFromPrivateCa(privateCa.get(), resource, proxyId, csrPem, now);
        }
        X509Issuer.Signer meshCa = signer(resource.mesh());
        Instant notAfter = now.plus(settings.leafLifetime());
        if (notAfter.isAfter(meshCa.certificate().getNotAfter().toInstant())) {
            notAfter = meshCa.certificate().getNotAfter().toInstant();
        }
        List<String> dns = dnsNames(resource);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Meshwork")
                .addRDN(BCStyle.CN, truncate(resource.name(), 64)).build();
        for (int attempt = 0; ; attempt++) {
            BigInteger serial = serial();
            X509Certificate leaf = X509Issuer.leaf(subject, key, spiffeId(resource), dns, meshCa, serial, notAfter);
            Instant end = notAfter;
            boolean recorded = database.inTransaction(tx -> store.recordIssued(tx, new CaStore.IssuedRow(serial.toString(16),
                    resource.mesh(), resource.kind().arnSegment(), resource.name(), proxyId, now.toEpochMilli(), end.toEpochMilli())));
            if (recorded) {
                return new Issued(Pem.certificates(List.of(leaf, meshCa.certificate())), trustBundle(), serial.toString(16),
                        notAfter.toEpochMilli());
            }
            if (attempt > 5) {
                throw new IllegalStateException("no unused serial number after " + attempt + " draws");
            }
        }
    }

    /**
     * Starts a rotation: a new CA for {@code mesh} (or the root, {@link CaStore#ROOT}) becomes
     * active and the previous one keeps being trusted (RETIRING) until {@link #retire}. Rotating
     * the root also starts new mesh CAs under it, and the trust bundle then holds both roots.
     */
    public void rotate(String mesh) {
        signer(mesh); // there is something to rotate
        database.inTransaction(tx -> {
            for (CaRow row : store.trusted(tx, mesh)) {
                if (CaStore.ACTIVE.equals(row.state())) {
                    store.setState(tx, mesh, row.generation(), CaStore.RETIRING);
                }
            }
            if (CaStore.ROOT.equals(mesh)) {
                for (CaRow row : store.all(tx)) {
                    if (!CaStore.ROOT.equals(row.mesh()) && CaStore.ACTIVE.equals(row.state())) {
                        store.setState(tx, row.mesh(), row.generation(), CaStore.RETIRING);
                    }
                }
            }
            return null;
        });
        forgetCached();
        signer(mesh);
        LOG.info("rotation of the {} CA started", CaStore.ROOT.equals(mesh) ? "root" : "mesh " + mesh);
    }

    /** Ends a rotation: the previous CA is no longer trusted (its leaves stop verifying, for a root). */
    public boolean retire(String mesh, int generation) {
        boolean done = database.inTransaction(tx -> {
            for (CaRow row : store.trusted(tx, mesh)) {
                if (row.generation() == generation && CaStore.RETIRING.equals(row.state())) {
                    store.setState(tx, mesh, generation, CaStore.RETIRED);
                    return true;
                }
            }
            return false;
        });
        forgetCached();
        return done;
    }

    public List<CaRow> list() {
        return database.inTransaction(store::all);
    }

    private Issued issueFromPrivateCa(String caArn, ResourceKey resource, String proxyId, String csrPem, Instant now) {
        Instant notAfter = now.plus(settings.leafLifetime());
        PrivateCaIssuer.Issued issued = privateCa.issue(caArn, csrPem, List.of(spiffeId(resource)), dnsNames(resource), notAfter);
        long end = issued.leaf().getNotAfter().getTime();
        String serial = issued.leaf().getSerialNumber().toString(16);
        database.inTransaction(tx -> store.recordIssued(tx, new CaStore.IssuedRow(serial, resource.mesh(), resource.kind().arnSegment(),
                resource.name(), proxyId, now.toEpochMilli(), end)));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(issued.leaf());
        chain.addAll(issued.chain());
        return new Issued(Pem.certificates(chain), Pem.certificates(issued.roots()), serial, end);
    }

    /** The trust anchors for a mesh: its AWS Private CA's root when it has one, else the trust domain's. */
    public String trustBundle(String mesh) {
        Optional<String> arn = database.inTransaction(tx -> store.privateCa(tx, mesh));
        return arn.isPresent() ? Pem.certificates(privateCa.roots(privateCa.caChain(arn.get()))) : trustBundle();
    }

    /** Uses AWS Private CA for a mesh's certificates (null: Meshwork's own CA again); the CA must answer. */
    public void usePrivateCa(String mesh, String caArn) {
        if (caArn != null) {
            privateCa.caChain(caArn);
        }
        database.inTransaction(tx -> {
            store.setPrivateCa(tx, mesh, caArn);
            return null;
        });
    }

    public Map<String, String> privateCas() {
        return database.inTransaction(store::privateCas);
    }

    /** The trust anchors of the trust domain: every root still trusted (two during a root rotation). */
    public String trustBundle() {
        Bundle cached = bundle;
        long now = clock.millis();
        if (cached != null && now - cached.loadedAt() < CACHE_MILLIS) {
            return cached.pem(); // asked for by every issuance and every mesh compile: read the store at most every few seconds
        }
        signer(CaStore.ROOT);
        List<X509Certificate> roots = new ArrayList<>();
        for (CaRow row : database.inTransaction(tx -> store.trusted(tx, CaStore.ROOT))) {
            roots.add(parse(row.certificatePem()));
        }
        String pem = Pem.certificates(roots);
        bundle = new Bundle(pem, now);
        return pem;
    }

    private record Bundle(String pem, long loadedAt) {
    }

    private volatile Bundle bundle;

    /** After a rotation step through this replica: the next read sees it at once. */
    private void forgetCached() {
        signers.clear();
        bundle = null;
    }

    /** The active CA of a mesh (or the root), created on first use. */
    X509Issuer.Signer signer(String mesh) {
        Cached cached = signers.get(mesh);
        long now = clock.millis();
        if (cached != null && now - cached.loadedAt() < CACHE_MILLIS
                && cached.signer().certificate().getNotAfter().toInstant().isAfter(clock.instant())) {
            return cached.signer();
        }
        Optional<CaRow> row = database.inTransaction(tx -> store.active(tx, mesh));
        X509Issuer.Signer signer = row.isPresent() ? load(row.get()) : create(mesh);
        signers.put(mesh, new Cached(signer, now));
        return signer;
    }

    private X509Issuer.Signer create(String mesh) {
        boolean root = CaStore.ROOT.equals(mesh);
        X509Issuer.Signer parent = root ? null : signer(CaStore.ROOT);
        KeyAlgorithm algorithm = settings.keyAlgorithm();
        KeyPair keys = algorithm.generate();
        Instant notAfter = clock.instant().plus(root ? settings.rootLifetime() : settings.meshLifetime());
        if (parent != null && notAfter.isAfter(parent.certificate().getNotAfter().toInstant())) {
            notAfter = parent.certificate().getNotAfter().toInstant();
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Meshwork")
                .addRDN(BCStyle.OU, truncate(trustDomain, 64))
                .addRDN(BCStyle.CN, root ? "Meshwork root CA" : truncate("Meshwork mesh CA " + mesh, 64)).build();
        X509Certificate cert = root
                ? X509Issuer.root(subject, keys.getPublic(), keys.getPrivate(), algorithm, serial(), notAfter)
                : X509Issuer.subordinate(subject, keys.getPublic(), parent, serial(), notAfter);
        Instant end = notAfter;
        try {
            database.inTransaction(tx -> {
                store.insert(tx, new CaRow(mesh, store.nextGeneration(tx, mesh), CaStore.ACTIVE, Pem.write(cert),
                        cipher.encrypt(Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded())), algorithm.name(),
                        clock.millis(), end.toEpochMilli()));
                return null;
            });
            LOG.info("created the {} CA ({}, valid until {})", root ? "root" : "mesh " + mesh, algorithm, end);
            return new X509Issuer.Signer(cert, keys.getPrivate(), algorithm);
        } catch (RuntimeException raced) {
            // Another replica created it at the same moment: use theirs.
            Optional<CaRow> theirs = database.inTransaction(tx -> store.active(tx, mesh));
            if (theirs.isEmpty()) {
                throw raced;
            }
            return load(theirs.get());
        }
    }

    private X509Issuer.Signer load(CaRow row) {
        try {
            KeyAlgorithm algorithm = KeyAlgorithm.valueOf(row.keyAlgorithm());
            byte[] pkcs8 = Base64.getDecoder().decode(cipher.decrypt(row.encryptedKey()));
            PrivateKey key = KeyFactory.getInstance(algorithm == KeyAlgorithm.RSA_2048 ? "RSA" : "EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new X509Issuer.Signer(parse(row.certificatePem()), key, algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the CA key of " + row.mesh() + " cannot be decrypted: is CONTROL_API_ENCRYPTION_KEY the one"
                    + " it was stored with?", e);
        }
    }

    /** The CSR's public key (through the JDK's own key factories, which know EC and RSA by name, not by OID). */
    private static PublicKey publicKey(PKCS10CertificationRequest csr) throws GeneralSecurityException, IOException {
        var algorithm = csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm();
        String name = algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC"
                : algorithm.equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA" : null;
        return name == null ? null : KeyFactory.getInstance(name).generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
    }

    public static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored certificate does not parse", e);
        }
    }

    /** Serial numbers: 159 random bits, positive (RFC 5280 allows up to 20 octets; CAs must use at least 64 random bits). */
    private BigInteger serial() {
        return new BigInteger(159, random).setBit(158);
    }

    /** The names callers reach the node by: its DNS hostname, or its Cloud Map service as serviceName.namespaceName. */
    private List<String> dnsNames(ResourceKey resource) {
        Optional<StoredResource> stored = database.inTransaction(tx -> resources.find(tx, resource));
        List<String> out = new ArrayList<>();
        if (stored.isEmpty()) {
            return out;
        }
        JsonNode sd = stored.get().spec().path("serviceDiscovery");
        String host = sd.path("dns").path("hostname").asText("");
        if (!host.isEmpty()) {
            out.add(host);
        }
        JsonNode cm = sd.path("awsCloudMap");
        if (!cm.isMissingNode()) {
            out.add(cm.path("serviceName").asText() + "." + cm.path("namespaceName").asText());
        }
        return out;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
