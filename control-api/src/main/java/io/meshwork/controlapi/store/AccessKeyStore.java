package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for access keys; secrets arrive and leave here encrypted. */
@Singleton
public final class AccessKeyStore {
    public record Row(String accessKeyId, String name, String secretCiphertext, String policy, boolean root,
                      long createdAt) {
    }

    private static final String COLUMNS = "access_key_id, name, secret_ciphertext, policy, is_root, created_at";

    public Optional<Row> find(Transaction tx, String accessKeyId) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM access_key WHERE access_key_id = ?")) {
                ps.setString(1, accessKeyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<Row> all(Transaction tx) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM access_key ORDER BY created_at, access_key_id");
                 ResultSet rs = ps.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(read(rs));
                }
                return out;
            }
        });
    }

    public void insert(Transaction tx, Row row) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_key (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, row.accessKeyId());
                ps.setString(2, row.name());
                ps.setString(3, row.secretCiphertext());
                ps.setString(4, row.policy());
                ps.setBoolean(5, row.root());
                ps.setLong(6, row.createdAt());
                ps.executeUpdate();
            }
        });
    }

    public void updateSecret(Transaction tx, String accessKeyId, String secretCiphertext) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE access_key SET secret_ciphertext = ? WHERE access_key_id = ?")) {
                ps.setString(1, secretCiphertext);
                ps.setString(2, accessKeyId);
                ps.executeUpdate();
            }
        });
    }

    public boolean updatePolicy(Transaction tx, String accessKeyId, String policy) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE access_key SET policy = ? WHERE access_key_id = ?")) {
                ps.setString(1, policy);
                ps.setString(2, accessKeyId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    public boolean delete(Transaction tx, String accessKeyId) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM access_key WHERE access_key_id = ?")) {
                ps.setString(1, accessKeyId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static Row read(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5), rs.getLong(6));
    }
}
