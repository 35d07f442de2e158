package io.meshwork.proxyapi.login;

/**
 * Tells AWS's access keys from Meshwork's by their id. AWS documents the prefixes: {@code AKIA}
 * for an IAM user's long-term key, {@code ASIA} for temporary credentials from STS (task roles,
 * IRSA, Pod Identity, instance profiles). Meshwork's own keys start with {@code MWK}, its
 * sessions with {@code MWS}; a root key may be named anything else, so anything that is not
 * AWS's counts as Meshwork's.
 */
public final class AwsAccessKeys {
    private AwsAccessKeys() {
    }

    public static boolean isAwsIssued(String accessKeyId) {
        return accessKeyId != null && (accessKeyId.startsWith("AKIA") || accessKeyId.startsWith("ASIA"));
    }
}
