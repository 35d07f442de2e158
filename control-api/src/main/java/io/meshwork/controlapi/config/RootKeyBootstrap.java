package io.meshwork.controlapi.config;

import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.auth.keys.AccessKeys;
import io.meshwork.proxyapi.login.AwsAccessKeys;
import io.micronaut.context.annotation.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes sure an administrator can sign in at start-up: the root key from
 * {@code CONTROL_API_ROOT_ACCESS_KEY_ID}/{@code _SECRET_ACCESS_KEY}, or else one generated into
 * {@code <data dir>/root-credentials}, written in the AWS shared-credentials format so that
 * {@code AWS_SHARED_CREDENTIALS_FILE=data/root-credentials AWS_PROFILE=meshwork aws appmesh ...}
 * works as it is.
 */
@Context
final class RootKeyBootstrap {
    static final String PROFILE = "meshwork";
    private static final Logger LOG = LoggerFactory.getLogger(RootKeyBootstrap.class);

    RootKeyBootstrap(ControlApiSettings settings, AccessKeys keys) {
        String id = blankToNull(settings.rootAccessKeyId());
        String secret = blankToNull(settings.rootSecretAccessKey());
        if ((id == null) != (secret == null)) {
            throw new StartupFailure("Set both CONTROL_API_ROOT_ACCESS_KEY_ID and CONTROL_API_ROOT_SECRET_ACCESS_KEY, or neither");
        }
        if (id != null) {
            if (id.startsWith(AccessKey.SESSION_PREFIX) || AwsAccessKeys.isAwsIssued(id)) {
                // Clients tell keys apart by these prefixes: an AKIA/ASIA id would be exchanged for a session.
                throw new StartupFailure("CONTROL_API_ROOT_ACCESS_KEY_ID may not start with " + AccessKey.SESSION_PREFIX
                        + " (Meshwork's session keys), AKIA or ASIA (AWS's keys), got " + id);
            }
            keys.ensureRoot(id, secret);
            LOG.info("root access key {} from the environment", id);
            return;
        }
        Path file = settings.dataDir().resolve("root-credentials");
        try {
            Map<String, String> existing = Files.exists(file) ? read(file) : Map.of();
            id = existing.get("aws_access_key_id");
            secret = existing.get("aws_secret_access_key");
            if (id == null || secret == null) {
                id = keys.newId();
                secret = keys.newSecret();
                Files.createDirectories(settings.dataDir());
                SecretFiles.writePrivate(file, "[" + PROFILE + "]\naws_access_key_id = " + id
                        + "\naws_secret_access_key = " + secret + "\n");
                LOG.info("generated root access key {}; its credentials are in {} (profile '{}')", id,
                        file.toAbsolutePath(), PROFILE);
            } else {
                LOG.info("root access key {} from {}", id, file.toAbsolutePath());
            }
            keys.ensureRoot(id, secret);
        } catch (IOException e) {
            throw new StartupFailure("Cannot read or write the root credentials " + file.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    private static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return values;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
