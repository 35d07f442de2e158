package io.meshwork.controlapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.resource.ResourceKind;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL for App Mesh resources and the references between them. */
@Singleton
public final class ResourceStore {
    private static final String COLUMNS = "id, kind, mesh_name, parent_name, name, uid, version, created_at, updated_at, spec";
    private static final String BY_KEY = " WHERE kind = ? AND mesh_name = ? AND parent_name = ? AND name = ?";

    public Optional<StoredResource> find(Transaction tx, ResourceKey key) {
        return tx.call(c -> selectOne(c, "SELECT " + COLUMNS + " FROM resource" + BY_KEY, key));
    }

    /** Reads a resource and locks its row until the transaction ends. */
    public Optional<StoredResource> lock(Transaction tx, ResourceKey key) {
        return tx.call(c -> selectOne(c, "SELECT " + COLUMNS + " FROM resource" + BY_KEY + " FOR UPDATE", key));
    }

    /** Inserts a new resource; empty if one with that key exists already. */
    public Optional<StoredResource> insert(Transaction tx, ResourceKey key, JsonNode spec, long now) {
        return tx.call(c -> {
            String uid = UUID.randomUUID().toString();
            String specJson = StrictJson.write(spec);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO resource (kind, mesh_name, parent_name, name, uid, version, created_at, updated_at, spec)"
                            + " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                bindKey(ps, key, 1);
                ps.setString(5, uid);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.setString(8, specJson);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return Optional.of(new StoredResource(keys.getLong(1), key, uid, 1, now, now, specJson));
                }
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /**
     * Replaces the spec if the stored version is still {@code current.version()}: an update
     * computed from a stale read can never overwrite a newer one.
     */
    public Optional<StoredResource> update(Transaction tx, StoredResource current, JsonNode spec, long now) {
        return tx.call(c -> {
            String specJson = StrictJson.write(spec);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE resource SET spec = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?")) {
                ps.setString(1, specJson);
                ps.setLong(2, now);
                ps.setLong(3, current.id());
                ps.setLong(4, current.version());
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            return Optional.of(new StoredResource(current.id(), current.key(), current.uid(), current.version() + 1,
                    current.createdAtMillis(), now, specJson));
        });
    }

    public void delete(Transaction tx, long id) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM resource WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
        });
    }

    /** Every resource of a mesh (the mesh included), for compiling its proxies' configuration. */
    public List<StoredResource> allInMesh(Transaction tx, String mesh) {
        return tx.call(c -> {
            // Filtering on the kinds too lets both engines use the (kind, mesh_name, ...) key index.
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resource WHERE kind IN"
                    + " ('mesh', 'virtualService', 'virtualRouter', 'route', 'virtualNode', 'virtualGateway', 'gatewayRoute')"
                    + " AND mesh_name = ?")) {
                ps.setString(1, mesh);
                List<StoredResource> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Every resource of one kind, in every mesh, whose stored spec contains {@code specText} (a JSON member name, say). */
    public List<StoredResource> allOfKindContaining(Transaction tx, ResourceKind kind, String specText) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resource WHERE kind = ? AND spec LIKE ?"
                    + " ORDER BY mesh_name, name")) {
                ps.setString(1, kind.arnSegment());
                ps.setString(2, "%" + specText.replace("%", "\\%").replace("_", "\\_") + "%");
                List<StoredResource> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Up to {@code limit} resources of one kind under one parent, by name, after {@code afterName}. */
    public List<StoredResource> page(Transaction tx, ResourceKind kind, String mesh, String parent, String afterName,
                                     int limit) {
        return tx.call(c -> {
            boolean meshes = kind == ResourceKind.MESH;
            String sql = "SELECT " + COLUMNS + " FROM resource WHERE kind = ?"
                    + (meshes ? "" : " AND mesh_name = ? AND parent_name = ?")
                    + (afterName == null ? "" : " AND name > ?")
                    + " ORDER BY name LIMIT ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, kind.arnSegment());
                if (!meshes) {
                    ps.setString(i++, mesh);
                    ps.setString(i++, parent);
                }
                if (afterName != null) {
                    ps.setString(i++, afterName);
                }
                ps.setInt(i, limit);
                List<StoredResource> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** How many resources of {@code kind} live under one parent (all meshes for MESH). */
    public long count(Transaction tx, ResourceKind kind, String mesh, String parent) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT n FROM resource_count WHERE kind = ? AND mesh_name = ? AND parent_name = ?")) {
                bindCountKey(ps, kind, mesh, parent);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            }
        });
    }

    /**
     * Adds {@code delta} to the count of {@code kind} under one parent and returns the new count.
     * The counted row stays locked until the transaction ends, so concurrent creates cannot
     * both slip under a quota.
     */
    public long adjustCount(Transaction tx, ResourceKind kind, String mesh, String parent, long delta) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE resource_count SET n = n + ? WHERE kind = ? AND mesh_name = ? AND parent_name = ?")) {
                ps.setLong(1, delta);
                bindCountKey(ps, 2, kind, mesh, parent);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO resource_count (kind, mesh_name, parent_name, n) VALUES (?, ?, ?, ?)")) {
                        bindCountKey(insert, kind, mesh, parent);
                        insert.setLong(4, delta);
                        insert.executeUpdate();
                    }
                }
            }
            return count(tx, kind, mesh, parent);
        });
    }

    /** Forgets the counts kept for the children of a deleted mesh, router or gateway. */
    public void dropCountsUnder(Transaction tx, ResourceKey parent) {
        tx.run(c -> {
            String sql = parent.kind() == ResourceKind.MESH
                    ? "DELETE FROM resource_count WHERE mesh_name = ?"
                    : "DELETE FROM resource_count WHERE mesh_name = ? AND parent_name = ? AND kind <> ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, parent.mesh());
                if (parent.kind() != ResourceKind.MESH) {
                    ps.setString(2, parent.name());
                    ps.setString(3, ResourceKind.MESH.arnSegment());
                }
                ps.executeUpdate();
            }
        });
    }

    private static void bindCountKey(PreparedStatement ps, ResourceKind kind, String mesh, String parent) throws SQLException {
        bindCountKey(ps, 1, kind, mesh, parent);
    }

    /** Meshes are counted account-wide, under the empty mesh name. */
    private static void bindCountKey(PreparedStatement ps, int from, ResourceKind kind, String mesh, String parent)
            throws SQLException {
        boolean meshes = kind == ResourceKind.MESH;
        ps.setString(from, kind.arnSegment());
        ps.setString(from + 1, meshes ? "" : mesh);
        ps.setString(from + 2, meshes ? "" : parent);
    }

    /** How many resources of each kind a mesh holds (the mesh itself excluded), from the counters. */
    public Map<ResourceKind, Long> countsInMesh(Transaction tx, String mesh) {
        return tx.call(c -> {
            Map<ResourceKind, Long> counts = new EnumMap<>(ResourceKind.class);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT kind, SUM(n) FROM resource_count WHERE mesh_name = ? AND kind <> ? GROUP BY kind")) {
                ps.setString(1, mesh);
                ps.setString(2, ResourceKind.MESH.arnSegment());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getLong(2) > 0) {
                            counts.put(ResourceKind.fromArnSegment(rs.getString(1)), rs.getLong(2));
                        }
                    }
                }
            }
            return counts;
        });
    }

    public void replaceReferences(Transaction tx, StoredResource from, List<ResourceKey> targets) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM resource_reference WHERE resource_id = ?")) {
                ps.setLong(1, from.id());
                ps.executeUpdate();
            }
            addReferences(tx, from, targets);
        });
    }

    /** Records what a new resource's spec names (a new resource has no references yet). */
    public void addReferences(Transaction tx, StoredResource from, List<ResourceKey> targets) {
        tx.run(c -> {
            if (targets.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO resource_reference (resource_id, mesh_name, target_kind, target_name) VALUES (?, ?, ?, ?)")) {
                for (ResourceKey target : targets.stream().distinct().toList()) {
                    ps.setLong(1, from.id());
                    ps.setString(2, from.key().mesh());
                    ps.setString(3, target.kind().arnSegment());
                    ps.setString(4, target.name());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** The resources whose specs name {@code target} (up to {@code limit}, for the error message). */
    public List<ResourceKey> referrers(Transaction tx, ResourceKey target, int limit) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT r.kind, r.mesh_name, r.parent_name, r.name FROM resource_reference f"
                            + " JOIN resource r ON r.id = f.resource_id"
                            + " WHERE f.mesh_name = ? AND f.target_kind = ? AND f.target_name = ? ORDER BY r.kind, r.name LIMIT ?")) {
                ps.setString(1, target.mesh());
                ps.setString(2, target.kind().arnSegment());
                ps.setString(3, target.name());
                ps.setInt(4, limit);
                List<ResourceKey> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ResourceKey(ResourceKind.fromArnSegment(rs.getString(1)), rs.getString(2),
                                rs.getString(3), rs.getString(4)));
                    }
                }
                return out;
            }
        });
    }

    private Optional<StoredResource> selectOne(Connection c, String sql, ResourceKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindKey(ps, key, 1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static void bindKey(PreparedStatement ps, ResourceKey key, int from) throws SQLException {
        ps.setString(from, key.kind().arnSegment());
        ps.setString(from + 1, key.mesh());
        ps.setString(from + 2, key.parent());
        ps.setString(from + 3, key.name());
    }

    private static StoredResource read(ResultSet rs) throws SQLException {
        ResourceKey key = new ResourceKey(ResourceKind.fromArnSegment(rs.getString("kind")), rs.getString("mesh_name"),
                rs.getString("parent_name"), rs.getString("name"));
        return new StoredResource(rs.getLong("id"), key, rs.getString("uid"), rs.getLong("version"),
                rs.getLong("created_at"), rs.getLong("updated_at"), rs.getString("spec"));
    }
}
