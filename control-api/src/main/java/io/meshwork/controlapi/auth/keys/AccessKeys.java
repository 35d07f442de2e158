package io.meshwork.controlapi.auth.keys;

import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.store.AccessKeyStore;
import io.meshwork.controlapi.store.Database;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Meshwork's access keys: lookup for signature verification, and creation, policy changes
 * and revocation for operators. Lookups are cached for a couple of seconds, so a key revoked
 * through another replica stops working within that time (at once on this replica).
 */
@Singleton
public final class AccessKeys {
    private static final Logger LOG = LoggerFactory.getLogger(AccessKeys.class);

    private final Database database;
    private final AccessKeyStore store;
    private final SecretCipher cipher;
    private final Clock clock;
    private final RecentLookups<AccessKey> cache;

    public AccessKeys(Database database, AccessKeyStore store, SecretCipher cipher, Clock clock) {
        this.database = database;
        this.store = store;
        this.cipher = cipher;
        this.clock = clock;
        this.cache = new RecentLookups<>(clock, id -> database.inTransaction(tx -> store.find(tx, id)).map(this::decode));
    }

    public Optional<AccessKey> find(String accessKeyId) {
        return cache.find(accessKeyId);
    }

    public AccessKey create(String name, PolicyDocument policy) {
        return insert(name, newId(), newSecret(), policy, false);
    }

    /** Inserts or re-keys a root key (all permissions) with the given id and secret. */
    public void ensureRoot(String accessKeyId, String secret) {
        database.inTransaction(tx -> {
            Optional<AccessKeyStore.Row> existing = store.find(tx, accessKeyId);
            if (existing.isEmpty()) {
                store.insert(tx, new AccessKeyStore.Row(accessKeyId, "root", cipher.encrypt(secret),
                        policyJson(PolicyDocument.allowAll()), true, clock.millis()));
            } else if (!existing.get().root()) {
                throw new IllegalStateException("access key " + accessKeyId + " exists and is not a root key");
            } else if (!secret.equals(decode(existing.get()).secretAccessKey())) {
                store.updateSecret(tx, accessKeyId, cipher.encrypt(secret));
            }
            return null;
        });
        cache.forget(accessKeyId);
    }

    public List<AccessKey> list() {
        List<AccessKey> out = new ArrayList<>();
        database.inTransaction(tx -> store.all(tx)).forEach(row -> out.add(decode(row)));
        return out;
    }

    public boolean updatePolicy(String accessKeyId, PolicyDocument policy) {
        requireNotRoot(accessKeyId);
        boolean updated = database.inTransaction(tx -> store.updatePolicy(tx, accessKeyId, policyJson(policy)));
        cache.forget(accessKeyId);
        return updated;
    }

    public boolean delete(String accessKeyId) {
        requireNotRoot(accessKeyId);
        boolean deleted = database.inTransaction(tx -> store.delete(tx, accessKeyId));
        cache.forget(accessKeyId);
        if (deleted) {
            LOG.info("access key {} revoked", accessKeyId);
        }
        return deleted;
    }

    public String newId() {
        return KeyMaterial.newId(AccessKey.KEY_PREFIX);
    }

    public String newSecret() {
        return KeyMaterial.newSecret();
    }

    private void requireNotRoot(String accessKeyId) {
        find(accessKeyId).filter(AccessKey::root).ifPresent(k -> {
            throw AppMeshException.badRequest("Access key " + accessKeyId + " is a root key: it is managed through"
                    + " CONTROL_API_ROOT_ACCESS_KEY_ID or the data dir, not this API");
        });
    }

    private AccessKey insert(String name, String id, String secret, PolicyDocument policy, boolean root) {
        long now = clock.millis();
        database.inTransaction(tx -> {
            store.insert(tx, new AccessKeyStore.Row(id, name, cipher.encrypt(secret), policyJson(policy), root, now));
            return null;
        });
        cache.forget(id);
        LOG.info("access key {} ({}) created", id, name);
        return new AccessKey(id, name, secret, policy, root, now);
    }

    private AccessKey decode(AccessKeyStore.Row row) {
        try {
            return new AccessKey(row.accessKeyId(), row.name(), cipher.decrypt(row.secretCiphertext()),
                    PolicyDocument.parse(StrictJson.read(row.policy())), row.root(), row.createdAt());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the secret of access key " + row.accessKeyId()
                    + " cannot be decrypted with this control API's encryption key", e);
        }
    }

    static String policyJson(PolicyDocument policy) {
        return StrictJson.write(PolicyJson.toJson(policy));
    }
}
