package io.meshwork.controlapi.store;

import io.meshwork.cloudmap.sync.NodeRef;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** SQL for what Cloud Map holds for the mesh: instances found for nodes, and proxies registered there. */
@Singleton
public final class CloudMapStore {
    /** One instance of a node, as found in Cloud Map. */
    public record EndpointRow(String instanceId, String address, Integer port) {
    }

    /** A proxy's wish to be registered, and what was last registered for it. */
    public record Registration(String proxyId, String attributesJson, boolean healthy, String registeredService,
                               String registeredKey, Boolean reportedHealthy) {
    }

    public Map<String, List<EndpointRow>> endpointsInMesh(Transaction tx, String mesh) {
        return tx.call(c -> {
            Map<String, List<EndpointRow>> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT node_name, instance_id, address, port FROM cloudmap_endpoint"
                    + " WHERE mesh_name = ? ORDER BY node_name, instance_id")) {
                ps.setString(1, mesh);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int port = rs.getInt(4);
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                .add(new EndpointRow(rs.getString(2), rs.getString(3), rs.wasNull() ? null : port));
                    }
                }
            }
            return out;
        });
    }

    public List<EndpointRow> endpoints(Transaction tx, NodeRef node) {
        return tx.call(c -> {
            List<EndpointRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT instance_id, address, port FROM cloudmap_endpoint"
                    + " WHERE mesh_name = ? AND node_name = ? ORDER BY instance_id")) {
                ps.setString(1, node.mesh());
                ps.setString(2, node.node());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int port = rs.getInt(3);
                        out.add(new EndpointRow(rs.getString(1), rs.getString(2), rs.wasNull() ? null : port));
                    }
                }
            }
            return out;
        });
    }

    /** Replaces a node's instances; false (and nothing written) when they are already these. */
    public boolean replace(Transaction tx, NodeRef node, List<EndpointRow> rows) {
        return tx.call(c -> {
            if (endpoints(tx, node).equals(rows)) {
                return false;
            }
            delete(tx, node);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cloudmap_endpoint (mesh_name, node_name, instance_id, address, port)"
                    + " VALUES (?, ?, ?, ?, ?)")) {
                for (EndpointRow r : rows) {
                    ps.setString(1, node.mesh());
                    ps.setString(2, node.node());
                    ps.setString(3, r.instanceId());
                    ps.setString(4, r.address());
                    if (r.port() == null) {
                        ps.setNull(5, Types.INTEGER);
                    } else {
                        ps.setInt(5, r.port());
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return true;
        });
    }

    public void delete(Transaction tx, NodeRef node) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM cloudmap_endpoint WHERE mesh_name = ? AND node_name = ?")) {
                ps.setString(1, node.mesh());
                ps.setString(2, node.node());
                ps.executeUpdate();
            }
        });
    }

    /** Every node that has Cloud Map instances stored. */
    public Set<NodeRef> nodesWithEndpoints(Transaction tx) {
        return tx.call(c -> {
            Set<NodeRef> out = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT mesh_name, node_name FROM cloudmap_endpoint");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NodeRef(rs.getString(1), rs.getString(2)));
                }
            }
            return out;
        });
    }

    // --- registrations ---------------------------------------------------------------------------

    /** Records what a proxy asks for (keeping what was registered for it). */
    public void requestRegistration(Transaction tx, String proxyId, String attributesJson, boolean healthy) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cloudmap_registration SET attributes = ?, healthy = ? WHERE proxy_id = ?")) {
                ps.setString(1, attributesJson);
                ps.setBoolean(2, healthy);
                ps.setString(3, proxyId);
                if (ps.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cloudmap_registration (proxy_id, attributes, healthy) VALUES (?, ?, ?)")) {
                ps.setString(1, proxyId);
                ps.setString(2, attributesJson);
                ps.setBoolean(3, healthy);
                ps.executeUpdate();
            }
        });
    }

    /** Marks a proxy as no longer asking for registration (attributes ''), if it ever did. */
    public void withdraw(Transaction tx, String proxyId) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cloudmap_registration SET attributes = '' WHERE proxy_id = ? AND attributes <> ''")) {
                ps.setString(1, proxyId);
                ps.executeUpdate();
            }
        });
    }

    public List<Registration> registrations(Transaction tx) {
        return tx.call(c -> {
            List<Registration> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT proxy_id, attributes, healthy, registered_service, registered_key,"
                    + " reported_healthy FROM cloudmap_registration ORDER BY proxy_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean reported = rs.getBoolean(6);
                    out.add(new Registration(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5),
                            rs.wasNull() ? null : reported));
                }
            }
            return out;
        });
    }


    /** What is now registered in Cloud Map for a proxy (service null: nothing). */
    public void registered(Transaction tx, String proxyId, String service, String key, Boolean reportedHealthy) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cloudmap_registration SET registered_service = ?, registered_key = ?,"
                    + " reported_healthy = ? WHERE proxy_id = ?")) {
                ps.setString(1, service);
                ps.setString(2, key);
                if (reportedHealthy == null) {
                    ps.setNull(3, Types.BOOLEAN);
                } else {
                    ps.setBoolean(3, reportedHealthy);
                }
                ps.setString(4, proxyId);
                ps.executeUpdate();
            }
        });
    }

    public void forget(Transaction tx, String proxyId) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM cloudmap_registration WHERE proxy_id = ?")) {
                ps.setString(1, proxyId);
                ps.executeUpdate();
            }
        });
    }
}
