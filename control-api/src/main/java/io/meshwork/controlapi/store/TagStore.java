package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** SQL for the tags of resources. */
@Singleton
public final class TagStore {
    public record Tag(String key, String value) {
    }

    /** Up to {@code limit} tags by key, after {@code afterKey}. */
    public List<Tag> page(Transaction tx, long resourceId, String afterKey, int limit) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT tag_key, tag_value FROM resource_tag WHERE resource_id = ?"
                    + (afterKey == null ? "" : " AND tag_key > ?") + " ORDER BY tag_key LIMIT ?")) {
                int i = 1;
                ps.setLong(i++, resourceId);
                if (afterKey != null) {
                    ps.setString(i++, afterKey);
                }
                ps.setInt(i, limit);
                List<Tag> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Tag(rs.getString(1), rs.getString(2)));
                    }
                }
                return out;
            }
        });
    }

    public List<String> keys(Transaction tx, long resourceId) {
        List<String> out = new ArrayList<>();
        for (Tag tag : page(tx, resourceId, null, Integer.MAX_VALUE)) {
            out.add(tag.key());
        }
        return out;
    }

    /** Adds the tags, overwriting the value of keys already present. */
    public void put(Transaction tx, long resourceId, Map<String, String> tags) {
        tx.run(c -> {
            if (tags.isEmpty()) {
                return;
            }
            remove(tx, resourceId, tags.keySet());
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO resource_tag (resource_id, tag_key, tag_value) VALUES (?, ?, ?)")) {
                for (Map.Entry<String, String> tag : tags.entrySet()) {
                    ps.setLong(1, resourceId);
                    ps.setString(2, tag.getKey());
                    ps.setString(3, tag.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    public void remove(Transaction tx, long resourceId, Collection<String> keys) {
        tx.run(c -> {
            if (keys.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM resource_tag WHERE resource_id = ? AND tag_key = ?")) {
                for (String key : keys) {
                    ps.setLong(1, resourceId);
                    ps.setString(2, key);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }
}
