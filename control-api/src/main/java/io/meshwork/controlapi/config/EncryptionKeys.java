package io.meshwork.controlapi.config;

import io.meshwork.controlapi.auth.keys.SecretCipher;
import io.meshwork.controlapi.store.Database;
import io.meshwork.controlapi.store.StoreSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Finds the key that encrypts secrets at rest: {@code CONTROL_API_ENCRYPTION_KEY}, or the file
 * {@code encryption.key} in the data dir, created on first start. The store keeps a value
 * sealed with it, so a replica started with another key stops at once with a clear message
 * (replicas sharing PostgreSQL must share the key).
 */
final class EncryptionKeys {
    private static final Logger LOG = LoggerFactory.getLogger(EncryptionKeys.class);
    private static final String CHECK_SETTING = "encryption_key_check";
    private static final String CHECK_TEXT = "meshwork-encryption-key-check";

    private EncryptionKeys() {
    }

    static SecretCipher cipher(ControlApiSettings settings, Database database) {
        SecretCipher cipher = new SecretCipher(keyBytes(settings));
        StoreSettings store = new StoreSettings();
        String sealed = database.inTransaction(tx -> store.putIfAbsent(tx, CHECK_SETTING, cipher.encrypt(CHECK_TEXT)));
        try {
            if (!CHECK_TEXT.equals(cipher.decrypt(sealed))) {
                throw new GeneralSecurityException("mismatch");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new StartupFailure("The encryption key (CONTROL_API_ENCRYPTION_KEY or encryption.key in the data dir)"
                    + " is not the key this store's secrets were sealed with. Replicas sharing a store must use the same key.");
        }
        return cipher;
    }

    private static byte[] keyBytes(ControlApiSettings settings) {
        if (settings.encryptionKey() != null && !settings.encryptionKey().isBlank()) {
            try {
                return Base64.getDecoder().decode(settings.encryptionKey().trim());
            } catch (IllegalArgumentException e) {
                throw new StartupFailure("CONTROL_API_ENCRYPTION_KEY is not base64 (use: openssl rand -base64 32)");
            }
        }
        Path file = settings.dataDir().resolve("encryption.key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            }
            Files.createDirectories(settings.dataDir());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            SecretFiles.writePrivate(file, Base64.getEncoder().encodeToString(key) + "\n");
            LOG.info("generated a new encryption key for secrets at rest in {}", file.toAbsolutePath());
            return key;
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupFailure("Cannot read or create the encryption key " + file.toAbsolutePath() + ": " + e.getMessage());
        }
    }
}
