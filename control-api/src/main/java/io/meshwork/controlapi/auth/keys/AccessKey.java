package io.meshwork.controlapi.auth.keys;

import io.meshwork.controlapi.auth.iam.PolicyDocument;

/** A Meshwork access key: its id, its secret (in memory only) and what it may do. */
public record AccessKey(String accessKeyId, String name, String secretAccessKey, PolicyDocument policy, boolean root,
                        long createdAtMillis) {
    @Override
    public String toString() {
        // Never let the secret reach a log line through string concatenation.
        return "AccessKey[" + accessKeyId + ", " + name + (root ? ", root" : "") + "]";
    }
}
