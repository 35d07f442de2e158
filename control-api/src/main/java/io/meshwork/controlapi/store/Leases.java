package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * SQL for leases: one replica at a time holds a named lease, renews it while it works, and
 * another takes it over once it expires. The row is locked for the check, so two replicas
 * never both believe they hold it.
 */
@Singleton
public final class Leases {
    /** Takes or renews {@code name} for {@code holder} until {@code until}; false when another holder's lease is still running. */
    public boolean acquire(Transaction tx, String name, String holder, long now, long until) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT holder, expires_at FROM lease WHERE name = ? FOR UPDATE")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        try (PreparedStatement insert = c.prepareStatement("INSERT INTO lease (name, holder, expires_at) VALUES (?, ?, ?)")) {
                            insert.setString(1, name);
                            insert.setString(2, holder);
                            insert.setLong(3, until);
                            insert.executeUpdate();
                        }
                        return true;
                    }
                    if (!rs.getString(1).equals(holder) && rs.getLong(2) > now) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE lease SET holder = ?, expires_at = ? WHERE name = ?")) {
                ps.setString(1, holder);
                ps.setLong(2, until);
                ps.setString(3, name);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Whether {@code holder} holds {@code name} at {@code now} (locking it until the transaction ends). */
    public boolean holds(Transaction tx, String name, String holder, long now) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT holder, expires_at FROM lease WHERE name = ? FOR UPDATE")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1).equals(holder) && rs.getLong(2) > now;
                }
            }
        });
    }

    /** Gives a lease up at once (on shutdown), if {@code holder} has it. */
    public void release(Transaction tx, String name, String holder) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM lease WHERE name = ? AND holder = ?")) {
                ps.setString(1, name);
                ps.setString(2, holder);
                ps.executeUpdate();
            }
        });
    }

    /** Who holds a lease and until when (epoch ms), if anyone's is unexpired at {@code now}. */
    public java.util.Optional<java.util.Map.Entry<String, Long>> current(Transaction tx, String name, long now) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT holder, expires_at FROM lease WHERE name = ? AND expires_at > ?")) {
                ps.setString(1, name);
                ps.setLong(2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.Optional.of(java.util.Map.entry(rs.getString(1), rs.getLong(2)))
                            : java.util.Optional.<java.util.Map.Entry<String, Long>>empty();
                }
            }
        });
    }
}
