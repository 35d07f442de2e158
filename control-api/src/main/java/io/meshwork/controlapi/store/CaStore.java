package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for certificate authorities and the certificates they issued. */
@Singleton
public final class CaStore {
    public static final String ROOT = "*";
    public static final String ACTIVE = "ACTIVE";
    public static final String RETIRING = "RETIRING";
    public static final String RETIRED = "RETIRED";

    public record CaRow(String mesh, int generation, String state, String certificatePem, String encryptedKey,
                        String keyAlgorithm, long createdAt, long notAfter) {
    }

    public record IssuedRow(String serial, String mesh, String resourceKind, String resourceName, String proxyId,
                            long issuedAt, long notAfter) {
    }

    /** The CAs of a mesh (or of the root, {@link #ROOT}) still trusted, newest first. */
    public List<CaRow> trusted(Transaction tx, String mesh) {
        return tx.call(c -> {
            List<CaRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT mesh_name, generation, state, certificate, private_key, key_algorithm,"
                    + " created_at, not_after FROM certificate_authority WHERE mesh_name = ? AND state IN ('ACTIVE', 'RETIRING')"
                    + " ORDER BY generation DESC")) {
                ps.setString(1, mesh);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new CaRow(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), rs.getLong(7), rs.getLong(8)));
                    }
                }
            }
            return out;
        });
    }

    /** Every CA (any state), by mesh and generation: for operators; keys are not read. */
    public List<CaRow> all(Transaction tx) {
        return tx.call(c -> {
            List<CaRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT mesh_name, generation, state, certificate, '', key_algorithm,"
                    + " created_at, not_after FROM certificate_authority ORDER BY mesh_name, generation");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CaRow(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getLong(7), rs.getLong(8)));
                }
            }
            return out;
        });
    }

    public Optional<CaRow> active(Transaction tx, String mesh) {
        return trusted(tx, mesh).stream().filter(r -> ACTIVE.equals(r.state())).findFirst();
    }

    public int nextGeneration(Transaction tx, String mesh) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(generation), 0) FROM certificate_authority WHERE mesh_name = ?")) {
                ps.setString(1, mesh);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) + 1;
                }
            }
        });
    }

    /** Inserts a CA; fails (primary key) when another replica created the same generation first. */
    public void insert(Transaction tx, CaRow row) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificate_authority (mesh_name, generation, state, certificate,"
                    + " private_key, key_algorithm, created_at, not_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, row.mesh());
                ps.setInt(2, row.generation());
                ps.setString(3, row.state());
                ps.setString(4, row.certificatePem());
                ps.setString(5, row.encryptedKey());
                ps.setString(6, row.keyAlgorithm());
                ps.setLong(7, row.createdAt());
                ps.setLong(8, row.notAfter());
                ps.executeUpdate();
            }
        });
    }

    public void setState(Transaction tx, String mesh, int generation, String state) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE certificate_authority SET state = ? WHERE mesh_name = ? AND generation = ?")) {
                ps.setString(1, state);
                ps.setString(2, mesh);
                ps.setInt(3, generation);
                ps.executeUpdate();
            }
        });
    }

    /** The AWS Private CA a mesh uses, if any. */
    public Optional<String> privateCa(Transaction tx, String mesh) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT ca_arn FROM private_ca WHERE mesh_name = ?")) {
                ps.setString(1, mesh);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public java.util.Map<String, String> privateCas(Transaction tx) {
        return tx.call(c -> {
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT mesh_name, ca_arn FROM private_ca"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    /** Sets (or with null, removes) the AWS Private CA of a mesh. */
    public void setPrivateCa(Transaction tx, String mesh, String arn) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM private_ca WHERE mesh_name = ?")) {
                ps.setString(1, mesh);
                ps.executeUpdate();
            }
            if (arn != null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO private_ca (mesh_name, ca_arn) VALUES (?, ?)")) {
                    ps.setString(1, mesh);
                    ps.setString(2, arn);
                    ps.executeUpdate();
                }
            }
        });
    }

    /** Records an issued certificate; false when the serial was already used (the caller draws another). */
    public boolean recordIssued(Transaction tx, IssuedRow row) {
        return tx.call(c -> {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM issued_certificate WHERE serial = ?")) {
                exists.setString(1, row.serial());
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO issued_certificate (serial, mesh_name, resource_kind, resource_name,"
                    + " proxy_id, issued_at, not_after) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, row.serial());
                ps.setString(2, row.mesh());
                ps.setString(3, row.resourceKind());
                ps.setString(4, row.resourceName());
                ps.setString(5, row.proxyId());
                ps.setLong(6, row.issuedAt());
                ps.setLong(7, row.notAfter());
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** The certificate most recently issued to a proxy. */
    public Optional<IssuedRow> latestFor(Transaction tx, String proxyId) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT serial, mesh_name, resource_kind, resource_name, proxy_id, issued_at,"
                    + " not_after FROM issued_certificate WHERE proxy_id = ? ORDER BY issued_at DESC LIMIT 1")) {
                ps.setString(1, proxyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new IssuedRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6), rs.getLong(7))) : Optional.empty();
                }
            }
        });
    }

    /** The certificate most recently issued to each connected proxy (of one mesh, or all), by proxy id. */
    public java.util.Map<String, IssuedRow> latestForConnected(Transaction tx, String meshOrNull) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT i.serial, i.mesh_name, i.resource_kind, i.resource_name,"
                    + " i.proxy_id, i.issued_at, i.not_after FROM issued_certificate i JOIN proxy p ON p.proxy_id = i.proxy_id"
                    + (meshOrNull == null ? "" : " WHERE p.mesh_name = ?") + " ORDER BY i.issued_at")) {
                if (meshOrNull != null) {
                    ps.setString(1, meshOrNull);
                }
                java.util.Map<String, IssuedRow> out = new java.util.HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(5), new IssuedRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), rs.getLong(7)));
                    }
                }
                return out;
            }
        });
    }
}
