package io.meshwork.controlapi.auth.keys;

import io.meshwork.controlapi.config.StartupFailure;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts secrets at rest with AES-256-GCM. SigV4 is an HMAC, so the server must be able to
 * recover each secret: hashing is not possible, encryption is the next best thing.
 */
public final class SecretCipher {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public SecretCipher(byte[] key) {
        if (key.length != 32) {
            throw new StartupFailure("The encryption key must be 32 bytes (base64 of 32 random bytes), got " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public String encrypt(String plaintext) {
        return encrypt(plaintext, null);
    }

    /**
     * Sealed for one use only: {@code context} is authenticated with the ciphertext (GCM's
     * associated data), so a value sealed for one purpose (a session token, say) does not open
     * as another (a stored secret).
     */
    public String encrypt(String plaintext, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            if (context != null) {
                cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The plaintext, or an exception if the ciphertext was sealed with another key or altered. */
    public String decrypt(String ciphertext) throws GeneralSecurityException {
        return decrypt(ciphertext, null);
    }

    /** Opens what {@link #encrypt(String, String)} sealed for the same context; anything else is an exception. */
    public String decrypt(String ciphertext, String context) throws GeneralSecurityException {
        byte[] in = Base64.getDecoder().decode(ciphertext);
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("ciphertext too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
        if (context != null) {
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        }
        return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    }
}
