package io.meshwork.controlapi.auth.aws;

import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.controlapi.auth.keys.PolicyJson;
import io.meshwork.controlapi.auth.keys.RecentLookups;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.store.AwsPrincipalStore;
import io.meshwork.controlapi.store.Database;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Which AWS roles and users may act on the mesh, and with which policy. Lookups are cached for
 * a couple of seconds, as access keys are: a mapping deleted or changed through another replica
 * takes effect on every session within that time (at once on this replica).
 */
@Singleton
public final class AwsPrincipals {
    private static final Logger LOG = LoggerFactory.getLogger(AwsPrincipals.class);

    /** A mapping: the role or user as the operator named it, and the policy its sessions carry. */
    public record Mapping(String arn, PolicyDocument policy, long createdAtMillis, long updatedAtMillis) {
    }

    private final Database database;
    private final AwsPrincipalStore store;
    private final Clock clock;
    private final RecentLookups<Mapping> cache;

    public AwsPrincipals(Database database, AwsPrincipalStore store, Clock clock) {
        this.database = database;
        this.store = store;
        this.clock = clock;
        this.cache = new RecentLookups<>(clock, key -> database.inTransaction(tx -> store.find(tx, key)).map(AwsPrincipals::decode));
    }

    /** The mapping of a principal, by {@link AwsPrincipalArn#key()}. */
    public Optional<Mapping> find(String principalKey) {
        return cache.find(principalKey);
    }

    public List<Mapping> list() {
        return database.inTransaction(store::all).stream().map(AwsPrincipals::decode).toList();
    }

    /** Maps the role or user to the policy, replacing any mapping it had (under any path). */
    public Mapping put(String arn, PolicyDocument policy) {
        String key = parse(arn).key();
        String policyJson = StrictJson.write(PolicyJson.toJson(policy));
        long now = clock.millis();
        Optional<AwsPrincipalStore.Row> row = database.inTransaction(tx -> store.put(tx, key, arn, policyJson, now));
        if (row.isEmpty()) {
            // Another replica inserted it at the same moment: this write comes second and replaces it.
            row = database.inTransaction(tx -> store.put(tx, key, arn, policyJson, now));
        }
        cache.forget(key);
        LOG.info("AWS principal {} mapped to a policy", arn);
        return decode(row.orElseThrow(() -> new IllegalStateException("the mapping of " + arn + " was not stored")));
    }

    public boolean delete(String arn) {
        String key = parse(arn).key();
        boolean deleted = database.inTransaction(tx -> store.delete(tx, key));
        cache.forget(key);
        if (deleted) {
            LOG.info("AWS principal {} unmapped: its sessions stop working", arn);
        }
        return deleted;
    }

    /** The ARN of a mapping, or a BadRequestException that says what was expected. */
    public static AwsPrincipalArn parse(String arn) {
        try {
            return AwsPrincipalArn.parseMapped(arn);
        } catch (IllegalArgumentException e) {
            throw AppMeshException.badRequest(e.getMessage());
        }
    }

    private static Mapping decode(AwsPrincipalStore.Row row) {
        return new Mapping(row.arn(), PolicyDocument.parse(StrictJson.read(row.policy())), row.createdAt(), row.updatedAt());
    }
}
