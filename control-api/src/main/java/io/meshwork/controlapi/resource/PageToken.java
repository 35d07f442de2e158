package io.meshwork.controlapi.resource;

import io.meshwork.controlapi.error.AppMeshException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque {@code nextToken} of List operations. It carries the last key returned, not an
 * offset, so a page boundary stays put when resources are created or deleted meanwhile.
 */
public final class PageToken {
    private static final String VERSION = "mw1:";

    private PageToken() {
    }

    public static String after(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The key to continue after, or null for the first page. */
    public static String decode(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(VERSION)) {
                return text.substring(VERSION.length());
            }
        } catch (IllegalArgumentException ignored) {
            // falls through to the error below
        }
        throw AppMeshException.badRequest("Invalid nextToken: pass the value a previous List call returned");
    }
}
