package io.meshwork.proxyapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.jr.ob.JSON;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The wire form of snapshots, and the digest that is their version. Snapshots are written with
 * Jackson databind (the control API) and read with jackson-jr (proxies): databind introspects every
 * record of a snapshot the first time it reads one, a tenth of a second or more of a proxy's cold
 * start, before the proxy can serve; jackson-jr maps the same JSON to the same records by their
 * components. Each is built at its first use, so a proxy that only reads never builds databind
 * before it is ready.
 */
public final class SnapshotJson {
    private static final class Databind {
        static final ObjectMapper MAPPER = JsonMapper.builder()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    private static final class Reader {
        // Unknown fields are skipped, as databind was told to: a newer control plane may send fields this proxy does not know.
        // Protocols in any case, as Protocol.of reads them for databind; numbers only where numbers belong (WholeNumbers).
        static final JSON JSON_READER = JSON.builder().disable(JSON.Feature.FAIL_ON_UNKNOWN_BEAN_PROPERTY)
                .enable(JSON.Feature.ACCEPT_CASE_INSENSITIVE_ENUMS).register(new WholeNumbers()).build();
    }

    private SnapshotJson() {
    }

    /** Databind, for everything but reading snapshots (reports, the admin endpoint, the control API). */
    public static ObjectMapper mapper() {
        return Databind.MAPPER;
    }

    public static byte[] write(ProxySnapshot snapshot) {
        try {
            return Databind.MAPPER.writeValueAsBytes(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ProxySnapshot read(byte[] json) {
        ProxySnapshot snapshot;
        try {
            snapshot = Reader.JSON_READER.beanFrom(ProxySnapshot.class, json);
        } catch (java.io.IOException | RuntimeException e) { // a value of the wrong kind may come unchecked
            throw new IllegalArgumentException("not a proxy snapshot: " + e.getMessage(), e);
        }
        if (snapshot == null) {
            throw new IllegalArgumentException("not a proxy snapshot: the JSON is null");
        }
        return snapshot;
    }

    /**
     * The snapshot with its version set to a digest of everything but the version and the
     * revision, so the same configuration compiled twice gets the same version.
     */
    public static ProxySnapshot versioned(ProxySnapshot snapshot) {
        ProxySnapshot content = new ProxySnapshot(null, 0, snapshot.mesh(), snapshot.resourceKind(),
                snapshot.resourceName(), snapshot.egressFilter(), snapshot.listeners(), snapshot.services(),
                snapshot.gatewayRoutes(), snapshot.clusters(), snapshot.accessLog(), snapshot.problems(), snapshot.clientTls(),
                snapshot.trustBundle());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(write(content));
            return snapshot.withVersion(HexFormat.of().formatHex(digest, 0, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String string(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }
}
