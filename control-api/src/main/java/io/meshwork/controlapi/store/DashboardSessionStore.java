package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * SQL for dashboard sign-in tokens and sessions, stored by the SHA-256 of the token (never the
 * token itself), so every replica honours them and a sign-in token is used at most once.
 */
@Singleton
public final class DashboardSessionStore {
    public static final String SIGN_IN = "sign-in";
    public static final String SESSION = "session";

    /** Whom a token acts for, and until when. */
    public record Row(String tokenHash, String kind, String accessKeyId, String sessionToken, long createdAt, long expiresAt) {
        @Override
        public String toString() {
            return "DashboardSession[" + kind + ", " + accessKeyId + "]";
        }
    }

    public void insert(Transaction tx, Row row) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO dashboard_session (token_hash, kind, access_key_id,"
                    + " session_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, row.tokenHash());
                ps.setString(2, row.kind());
                ps.setString(3, row.accessKeyId());
                ps.setString(4, row.sessionToken());
                ps.setLong(5, row.createdAt());
                ps.setLong(6, row.expiresAt());
                ps.executeUpdate();
            }
        });
    }

    /** The live token of that kind, if any. */
    public Optional<Row> find(Transaction tx, String tokenHash, String kind, long now) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT token_hash, kind, access_key_id, session_token, created_at,"
                    + " expires_at FROM dashboard_session WHERE token_hash = ? AND kind = ? AND expires_at > ?")) {
                ps.setString(1, tokenHash);
                ps.setString(2, kind);
                ps.setLong(3, now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getLong(6))) : Optional.empty();
                }
            }
        });
    }

    /**
     * Removes a token; true for exactly one caller however many replicas try at once (the delete
     * of one row is what makes a sign-in token single-use).
     */
    public boolean delete(Transaction tx, String tokenHash) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM dashboard_session WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                return ps.executeUpdate() == 1;
            }
        });
    }

    public int deleteExpired(Transaction tx, long now) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM dashboard_session WHERE expires_at <= ?")) {
                ps.setLong(1, now);
                return ps.executeUpdate();
            }
        });
    }
}
