package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for connected proxies: what they run, what they refused, where they serve. */
@Singleton
public final class ProxyStore {
    public record Row(String proxyId, String mesh, String resourceKind, String resourceName, String address,
                      String runningVersion, String rejectedVersion, String rejectedReason, long connectedAt,
                      long lastSeen, long expiresAt) {
    }

    private static final String COLUMNS = "proxy_id, mesh_name, resource_kind, resource_name, address, running_version,"
            + " rejected_version, rejected_reason, connected_at, last_seen, expires_at";

    public Optional<Row> find(Transaction tx, String proxyId) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM proxy WHERE proxy_id = ? FOR UPDATE")) {
                ps.setString(1, proxyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    public void insert(Transaction tx, Row row) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO proxy (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(ps, row);
                ps.executeUpdate();
            }
        });
    }

    public void update(Transaction tx, Row row) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE proxy SET mesh_name = ?, resource_kind = ?, resource_name = ?,"
                    + " address = ?, running_version = ?, rejected_version = ?, rejected_reason = ?, connected_at = ?,"
                    + " last_seen = ?, expires_at = ? WHERE proxy_id = ?")) {
                ps.setString(1, row.mesh());
                ps.setString(2, row.resourceKind());
                ps.setString(3, row.resourceName());
                ps.setString(4, row.address());
                ps.setString(5, row.runningVersion());
                ps.setString(6, row.rejectedVersion());
                ps.setString(7, row.rejectedReason());
                ps.setLong(8, row.connectedAt());
                ps.setLong(9, row.lastSeen());
                ps.setLong(10, row.expiresAt());
                ps.setString(11, row.proxyId());
                ps.executeUpdate();
            }
        });
    }

    public boolean delete(Transaction tx, String proxyId) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM proxy WHERE proxy_id = ?")) {
                ps.setString(1, proxyId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    public List<Row> expired(Transaction tx, long now) {
        return tx.call(c -> select(c, "SELECT " + COLUMNS + " FROM proxy WHERE expires_at < ? ORDER BY proxy_id", ps -> ps.setLong(1, now)));
    }

    /** The proxies of one mesh that are endpoints of virtual nodes. */
    public List<Row> endpointsInMesh(Transaction tx, String mesh) {
        return tx.call(c -> {
            return select(c, "SELECT " + COLUMNS + " FROM proxy WHERE mesh_name = ? AND resource_kind = 'virtualNode'"
                    + " AND address IS NOT NULL ORDER BY resource_name, address", ps -> ps.setString(1, mesh));
        });
    }

    public List<Row> all(Transaction tx, String meshOrNull) {
        return tx.call(c -> {
            if (meshOrNull == null) {
                return select(c, "SELECT " + COLUMNS + " FROM proxy ORDER BY mesh_name, resource_kind, resource_name, proxy_id", ps -> { });
            }
            return select(c, "SELECT " + COLUMNS + " FROM proxy WHERE mesh_name = ? ORDER BY resource_kind, resource_name, proxy_id",
                    ps -> ps.setString(1, meshOrNull));
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static List<Row> select(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private static void bind(PreparedStatement ps, Row row) throws SQLException {
        ps.setString(1, row.proxyId());
        ps.setString(2, row.mesh());
        ps.setString(3, row.resourceKind());
        ps.setString(4, row.resourceName());
        ps.setString(5, row.address());
        ps.setString(6, row.runningVersion());
        ps.setString(7, row.rejectedVersion());
        ps.setString(8, row.rejectedReason());
        ps.setLong(9, row.connectedAt());
        ps.setLong(10, row.lastSeen());
        ps.setLong(11, row.expiresAt());
    }

    private static Row read(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getLong(9), rs.getLong(10), rs.getLong(11));
    }
}
