package io.meshwork.controlapi.auth.keys;

import java.security.SecureRandom;

/** Random access key ids (a prefix and 17 base32 characters, like AWS's) and 40-character secrets. */
public final class KeyMaterial {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final char[] SECRET_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private KeyMaterial() {
    }

    public static String newId(String prefix) {
        return prefix + random(ID_ALPHABET, 17);
    }

    public static String newSecret() {
        return random(SECRET_ALPHABET, 40);
    }

    private static String random(char[] alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet[RANDOM.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }
}
