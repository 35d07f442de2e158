package io.meshwork.controlapi.auth;

import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.store.DashboardSessionStore;
import io.meshwork.controlapi.store.Database;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Dashboard sign-in. A signed caller ({@code bin/meshwork dashboard}) gets a one-time sign-in
 * token that lasts a minute; the browser exchanges it, once, for a session token (an HttpOnly
 * cookie) that lasts {@link DashboardSettings#sessionDuration()}. The session acts as the key
 * that asked, re-checked at every call, so its policy decides what the dashboard may read and a
 * revoked key or an ended AWS session ends it. Tokens are 256 random bits; the store keeps only
 * their SHA-256, so every replica honours them and reading the store yields no usable token.
 */
@Singleton
public final class DashboardSessions {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardSessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final DashboardSessionStore store;
    private final Authenticator authenticator;
    private final DashboardSettings settings;
    private final Clock clock;

    DashboardSessions(Database database, DashboardSessionStore store, Authenticator authenticator, DashboardSettings settings,
                      Clock clock) {
        this.database = database;
        this.store = store;
        this.authenticator = authenticator;
        this.settings = settings;
        this.clock = clock;
    }

    /** A new one-time sign-in token for {@code caller}; {@code sessionToken}: the AWS login session it signed with, if any. */
    public String signIn(AccessKey caller, String sessionToken) {
        String token = newToken();
        long now = clock.millis();
        database.inTransaction(tx -> {
            store.insert(tx, new DashboardSessionStore.Row(hash(token), DashboardSessionStore.SIGN_IN, caller.accessKeyId(),
                    caller.isSession() ? sessionToken : null, now, now + settings.signInLifetime().toMillis()));
            return null;
        });
        LOG.info("dashboard sign-in token issued to {}", caller.principal());
        return token;
    }

    /**
     * Exchanges a sign-in token for a session token: once only (the first of any number of
     * concurrent exchanges, on any replica, wins) and only while the sign-in token lasts.
     */
    public Optional<String> exchange(String signInToken) {
        if (!wellFormed(signInToken)) {
            return Optional.empty();
        }
        String session = newToken();
        long now = clock.millis();
        Optional<DashboardSessionStore.Row> used = database.inTransaction(tx -> {
            Optional<DashboardSessionStore.Row> row = store.find(tx, hash(signInToken), DashboardSessionStore.SIGN_IN, now);
            if (row.isEmpty() || !store.delete(tx, row.get().tokenHash())) {
                return Optional.<DashboardSessionStore.Row>empty();
            }
            store.insert(tx, new DashboardSessionStore.Row(hash(session), DashboardSessionStore.SESSION, row.get().accessKeyId(),
                    row.get().sessionToken(), now, now + settings.sessionDuration().toMillis()));
            return row;
        });
        used.ifPresentOrElse(r -> LOG.info("dashboard session started for {}", r.accessKeyId()),
                () -> LOG.info("dashboard sign-in refused: the token is unknown, used or expired"));
        return used.map(r -> session);
    }

    /** The key a session acts as, re-checked now; empty when the session is unknown, ended or its key no longer valid. */
    public Optional<AccessKey> caller(String sessionToken) {
        if (!wellFormed(sessionToken)) {
            return Optional.empty();
        }
        long now = clock.millis();
        Optional<DashboardSessionStore.Row> row = database.inTransaction(tx ->
                store.find(tx, hash(sessionToken), DashboardSessionStore.SESSION, now));
        if (row.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(authenticator.reauthenticate(row.get().accessKeyId(), row.get().sessionToken()));
        } catch (AppMeshException e) {
            LOG.info("dashboard session of {} ended: {}", row.get().accessKeyId(), e.getMessage());
            end(sessionToken);
            return Optional.empty();
        }
    }

    public void end(String sessionToken) {
        if (wellFormed(sessionToken)) {
            database.inTransaction(tx -> store.delete(tx, hash(sessionToken)));
        }
    }

    public Duration signInLifetime() {
        return settings.signInLifetime();
    }

    public Duration sessionDuration() {
        return settings.sessionDuration();
    }

    @Scheduled(fixedDelay = "60s", initialDelay = "60s")
    void forgetExpired() {
        try {
            database.inTransaction(tx -> store.deleteExpired(tx, clock.millis()));
        } catch (RuntimeException e) {
            LOG.debug("could not drop expired dashboard sessions: {}", e.toString());
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean wellFormed(String token) {
        return token != null && token.matches("[A-Za-z0-9_-]{43}");
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
