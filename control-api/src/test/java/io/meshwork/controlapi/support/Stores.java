package io.meshwork.controlapi.support;

import java.util.HashMap;
import java.util.Map;

/** The two stores every store-touching test runs against: embedded H2 and real PostgreSQL. */
public final class Stores {
    public static final String H2 = "h2";
    public static final String POSTGRES = "postgres";

    private Stores() {
    }

    /** control-api settings for the named store plus the extra ones given. */
    public static Map<String, Object> settings(String store, Map<String, Object> extra) {
        Map<String, Object> out = new HashMap<>(extra);
        if (POSTGRES.equals(store)) {
            out.putAll(Postgres.newDatabase());
        }
        return out;
    }
}
