package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for the AWS principals (roles, users) mapped to Meshwork policies. */
@Singleton
public final class AwsPrincipalStore {
    public record Row(String principalKey, String arn, String policy, long createdAt, long updatedAt) {
    }

    private static final String COLUMNS = "principal_key, arn, policy, created_at, updated_at";

    public Optional<Row> find(Transaction tx, String principalKey) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM aws_principal WHERE principal_key = ?")) {
                ps.setString(1, principalKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<Row> all(Transaction tx) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM aws_principal ORDER BY principal_key");
                 ResultSet rs = ps.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(read(rs));
                }
                return out;
            }
        });
    }

    /**
     * Replaces the mapping's ARN and policy, or inserts it. Returns the row as stored, or empty
     * when a concurrent insert of the same principal won the race: the caller's transaction is
     * then spoilt (PostgreSQL) and must be run again, which finds the row and updates it.
     */
    public Optional<Row> put(Transaction tx, String principalKey, String arn, String policy, long now) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE aws_principal SET arn = ?, policy = ?, updated_at = ? WHERE principal_key = ?")) {
                ps.setString(1, arn);
                ps.setString(2, policy);
                ps.setLong(3, now);
                ps.setString(4, principalKey);
                if (ps.executeUpdate() == 1) {
                    return find(tx, principalKey);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO aws_principal (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, principalKey);
                ps.setString(2, arn);
                ps.setString(3, policy);
                ps.setLong(4, now);
                ps.setLong(5, now);
                ps.executeUpdate();
                return Optional.of(new Row(principalKey, arn, policy, now, now));
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    public boolean delete(Transaction tx, String principalKey) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM aws_principal WHERE principal_key = ?")) {
                ps.setString(1, principalKey);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static Row read(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5));
    }
}
