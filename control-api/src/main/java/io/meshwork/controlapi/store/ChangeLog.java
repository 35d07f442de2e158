package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** SQL for the append-only log of mesh changes that replicas poll. */
@Singleton
public final class ChangeLog {
    public void append(Transaction tx, String mesh, long now) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO change_log (mesh_name, changed_at) VALUES (?, ?)")) {
                ps.setString(1, mesh);
                ps.setLong(2, now);
                ps.executeUpdate();
            }
        });
    }

    /** The newest sequence number of each mesh changed after {@code afterSeq}. */
    public Map<String, Long> changedSince(Transaction tx, long afterSeq) {
        return tx.call(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT mesh_name, MAX(seq) FROM change_log WHERE seq > ? GROUP BY mesh_name")) {
                ps.setLong(1, afterSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    public long latest(Transaction tx) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM change_log");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** The mesh's revision: the sequence number of its latest change (0 if none is logged). */
    public long revision(Transaction tx, String mesh) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE mesh_name = ?")) {
                ps.setString(1, mesh);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Drops entries older than {@code cutoff}, keeping each mesh's latest (its revision). */
    public int prune(Transaction tx, long cutoff) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM change_log WHERE changed_at < ? AND seq NOT IN"
                    + " (SELECT MAX(seq) FROM change_log GROUP BY mesh_name)")) {
                ps.setLong(1, cutoff);
                return ps.executeUpdate();
            }
        });
    }
}
