package io.meshwork.controlapi.store;

import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** SQL for the store's own settings. */
@Singleton
public final class StoreSettings {
    public Optional<String> get(Transaction tx, String name) {
        return tx.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT setting_value FROM store_setting WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Sets the value unless one is there already; returns the value that is stored afterwards. */
    public String putIfAbsent(Transaction tx, String name, String value) {
        return tx.call(c -> {
            Optional<String> existing = get(tx, name);
            if (existing.isPresent()) {
                return existing.get();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO store_setting (name, setting_value) VALUES (?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                ps.executeUpdate();
            }
            return value;
        });
    }
}
