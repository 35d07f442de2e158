package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for proxies' traffic reports: the latest two of each proxy, as JSON, so the mesh-wide view
 * (rates from their difference) is the same on every replica. The proxy's row must exist (and is
 * locked by its report's transaction); its traffic goes with it.
 */
@Singleton
public final class TrafficStore {
    /** A proxy's last two reports; {@code previousJson} is null after its first. */
    public record Row(String proxyId, String latestJson, long latestAt, String previousJson, long previousAt) {
    }

    /**
     * Makes {@code json} the latest report and the one it replaces the previous, unless that one
     * is younger than {@code minWindowMillis} (an acknowledgement right after a heartbeat): then
     * it is replaced and the previous stays, so rates are never taken over a few milliseconds.
     */
    public void put(Transaction tx, String proxyId, String json, long at, long minWindowMillis) {
        tx.run(c -> {
            int updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE proxy_traffic SET"
                    + " previous = CASE WHEN latest_at <= ? THEN latest ELSE previous END,"
                    + " previous_at = CASE WHEN latest_at <= ? THEN latest_at ELSE previous_at END,"
                    + " latest = ?, latest_at = ? WHERE proxy_id = ?")) {
                ps.setLong(1, at - minWindowMillis);
                ps.setLong(2, at - minWindowMillis);
                ps.setString(3, json);
                ps.setLong(4, at);
                ps.setString(5, proxyId);
                updated = ps.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO proxy_traffic (proxy_id, latest, latest_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, proxyId);
                    ps.setString(2, json);
                    ps.setLong(3, at);
                    ps.executeUpdate();
                }
            }
        });
    }

    /** The reports of every proxy of one mesh. */
    public List<Row> ofMesh(Transaction tx, String mesh) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT t.proxy_id, t.latest, t.latest_at, t.previous, t.previous_at"
                    + " FROM proxy_traffic t JOIN proxy p ON p.proxy_id = t.proxy_id WHERE p.mesh_name = ?")) {
                ps.setString(1, mesh);
                List<Row> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getLong(5)));
                    }
                }
                return out;
            }
        });
    }
}
