package io.meshwork.proxyapi.login;

/**
 * Tells AWS's access keys from Meshwork's by their id. AWS documents the prefixes: {@code AKIA}
 * for an IAM user's long-term key, {@code ASIA} for temporary credentials from STS (task roles,
 * IRSA, Pod Identity, instance profiles). Meshwork's own keys start with {@code MWK}, its
 * sessions with {@code MWS}; a root key may be named anything else, so anything that is not
 * AWS's counts as Meshwork's.
 */
public final class AwsAccessKeys {
    /** The id prefix of Meshwork session keys (from an AWS login). */
    public static final String MESHWORK_SESSION_PREFIX = "MWS";

    private AwsAccessKeys() {
    }

    public static boolean isMeshworkSession(String accessKeyId) {
        return accessKeyId != null && accessKeyId.startsWith(MESHWORK_SESSION_PREFIX);
    }

    public static boolean isAwsIssued(String accessKeyId) {
        return accessKeyId != null && (accessKeyId.startsWith("AKIA") || accessKeyId.startsWith("ASIA"));
    }
}
