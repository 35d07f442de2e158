package io.meshwork.proxyapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The wire form of snapshots, and the digest that is their version. */
public final class SnapshotJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private SnapshotJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(ProxySnapshot snapshot) {
        try {
            return MAPPER.writeValueAsBytes(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ProxySnapshot read(byte[] json) {
        try {
            return MAPPER.readValue(json, ProxySnapshot.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a proxy snapshot: " + e.getMessage(), e);
        }
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
