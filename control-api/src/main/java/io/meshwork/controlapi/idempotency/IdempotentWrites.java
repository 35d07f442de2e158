package io.meshwork.controlapi.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.controlapi.error.AppMeshException;
import io.meshwork.controlapi.model.StrictJson;
import io.meshwork.controlapi.store.ClientTokenStore;
import io.meshwork.controlapi.store.Transaction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeMap;

/**
 * clientToken idempotency for Create and Update operations. The AWS SDKs put a fresh token
 * in every call and resend it on retries: the same token with the same request replays the
 * first response without writing again; the same token with a different request is a
 * ConflictException.
 */
public final class IdempotentWrites {
    private static final int MAX_TOKEN_LENGTH = 64;

    private final ClientTokenStore tokens;

    public IdempotentWrites(ClientTokenStore tokens) {
        this.tokens = tokens;
    }

    /** The earlier response to replay, if this exact request was already carried out. */
    public Optional<JsonNode> replay(Transaction tx, String operation, ObjectNode input) {
        String token = token(input);
        if (token == null) {
            return Optional.empty();
        }
        Optional<ClientTokenStore.Recorded> recorded = tokens.find(tx, operation, token);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        if (!recorded.get().requestHash().equals(hash(operation, input))) {
            throw AppMeshException.conflict("The clientToken " + token + " was already used for a different "
                    + operation + " request");
        }
        return Optional.of(StrictJson.read(recorded.get().response()));
    }

    /** Remembers the response so that a retry with the same token gets it again. */
    public void record(Transaction tx, String operation, ObjectNode input, JsonNode response, long now) {
        String token = token(input);
        if (token != null) {
            tokens.insert(tx, operation, token, hash(operation, input), StrictJson.write(response), now);
        }
    }

    private static String token(ObjectNode input) {
        JsonNode token = input.get("clientToken");
        if (token == null || token.isNull()) {
            return null;
        }
        String text = token.asText();
        if (text.isEmpty() || text.length() > MAX_TOKEN_LENGTH) {
            throw AppMeshException.badRequest("clientToken must be 1 to " + MAX_TOKEN_LENGTH + " characters long");
        }
        return text;
    }

    /** A digest of the request without its token, independent of JSON member order. */
    static String hash(String operation, ObjectNode input) {
        ObjectNode copy = input.deepCopy();
        copy.remove("clientToken");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(operation.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(StrictJson.write(sorted(copy)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                fields.put(name, sorted(node.get(name)));
            }
            ObjectNode out = StrictJson.mapper().createObjectNode();
            fields.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            var out = StrictJson.mapper().createArrayNode();
            node.forEach(item -> out.add(sorted(item)));
            return out;
        }
        return node;
    }
}
