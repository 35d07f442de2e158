package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** SQL for clientToken idempotency records. */
@Singleton
public final class ClientTokenStore {
    public record Recorded(String requestHash, String response) {
    }

    public Optional<Recorded> find(Transaction tx, String operation, String token) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT request_hash, response FROM client_token WHERE operation = ? AND token = ?")) {
                ps.setString(1, operation);
                ps.setString(2, token);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Recorded(rs.getString(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    public void insert(Transaction tx, String operation, String token, String requestHash, String response, long now) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO client_token (operation, token, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, operation);
                ps.setString(2, token);
                ps.setString(3, requestHash);
                ps.setString(4, response);
                ps.setLong(5, now);
                ps.executeUpdate();
            }
        });
    }

    public int purgeOlderThan(Transaction tx, long cutoff) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM client_token WHERE created_at < ?")) {
                ps.setLong(1, cutoff);
                return ps.executeUpdate();
            }
        });
    }
}
