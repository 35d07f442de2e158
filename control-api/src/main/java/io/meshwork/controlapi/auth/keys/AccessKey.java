package io.meshwork.controlapi.auth.keys;

import io.meshwork.controlapi.auth.iam.PolicyDocument;
import io.meshwork.proxyapi.login.AwsAccessKeys;

/**
 * A Meshwork access key: its id, its secret (in memory only) and what it may do. Session keys
 * (from an AWS login) are not stored: their {@code name} is the AWS principal that logged in
 * and their policy that of the principal's mapping.
 */
public record AccessKey(String accessKeyId, String name, String secretAccessKey, PolicyDocument policy, boolean root,
                        long createdAtMillis) {
    public static final String KEY_PREFIX = "MWK";
    public static final String SESSION_PREFIX = AwsAccessKeys.MESHWORK_SESSION_PREFIX;

    public static AccessKey session(String accessKeyId, String principalArn, String secretAccessKey, PolicyDocument policy,
                                    long issuedAtMillis) {
        return new AccessKey(accessKeyId, principalArn, secretAccessKey, policy, false, issuedAtMillis);
    }

    public boolean isSession() {
        return accessKeyId.startsWith(SESSION_PREFIX);
    }

    /** Who acts, as error messages and logs name it: the key id, or the AWS principal of a session. */
    public String principal() {
        return isSession() ? name : accessKeyId;
    }

    @Override
    public String toString() {
        // Never let the secret reach a log line through string concatenation.
        return "AccessKey[" + accessKeyId + ", " + name + (root ? ", root" : "") + "]";
    }
}
