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
 * The wire form of snapshots and of the data-plane protocol's other messages, and the digest that
 * is a snapshot's version. Snapshots are written with
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

    private static final class Jr {
        // Unknown fields are skipped, as databind was told to: a newer control plane may send fields this proxy does not know.
        // Protocols in any case, as Protocol.of reads them for databind; scalars only of their own kind (StrictScalars).
        static final JSON CODEC = JSON.builder().disable(JSON.Feature.FAIL_ON_UNKNOWN_BEAN_PROPERTY)
                .enable(JSON.Feature.ACCEPT_CASE_INSENSITIVE_ENUMS).register(new StrictScalars()).build();
    }

    private SnapshotJson() {
    }

    /** Databind: for writing snapshots (the control API) and the admin endpoint's documents. */
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
        try {
            return readMessage(json, ProxySnapshot.class);
        } catch (java.io.IOException | RuntimeException e) { // a value of the wrong kind may come unchecked
            throw new IllegalArgumentException("not a proxy snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * A message of the data-plane protocol other than a snapshot (a report, a certificate or login
     * request) as JSON, null fields left out, as the control API reads them. With jackson-jr, as
     * snapshots are read: a proxy sends its first report while it starts.
     */
    public static byte[] writeMessage(Object message) {
        try {
            return Jr.CODEC.asBytes(message);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** A message read from JSON: a snapshot, or the control API's answer to one of the above (unknown fields are skipped). */
    public static <T> T readMessage(byte[] json, Class<T> type) throws java.io.IOException {
        T message = Jr.CODEC.beanFrom(type, json);
        if (message == null) {
            throw new java.io.IOException("the JSON is null, not a " + type.getSimpleName());
        }
        return message;
    }

    /** The fields of a JSON object (an error's body, ECS task metadata); an IOException when it is not one. */
    public static java.util.Map<String, Object> readObject(byte[] json) throws java.io.IOException {
        java.util.Map<String, Object> fields = Jr.CODEC.mapFrom(json);
        if (fields == null) {
            throw new java.io.IOException("expected a JSON object, got null");
        }
        return fields;
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
