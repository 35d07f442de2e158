package io.meshwork.proxy.http1;

import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The header lines of a connection's previous messages, by position, with the name and value
 * made for each. Messages on one keep-alive connection mostly repeat their headers line for line
 * (a client's Host, User-Agent and Accept; an app's Server, Content-Type, Content-Length), so a
 * line equal to the one at its position last time reuses that name and value instead of making
 * new ones. Strings are immutable, so sharing them between messages is safe.
 */
final class RepeatedHeaders {
    private static final int POSITIONS = 32;

    private final byte[][] lines = new byte[POSITIONS][];
    private final AsciiString[] names = new AsciiString[POSITIONS];
    private final String[] values = new String[POSITIONS];
    private CharSequence name;
    private String value;

    /** Looks up the {@code i}th header of the head just scanned; its parts are then {@link #name()} and {@link #value()}. */
    void read(PlainHead head, int i) {
        byte[] b = head.bytes();
        int start = head.nameStart(i);
        int end = head.valueEnd(i);
        if (i < POSITIONS) {
            byte[] seen = lines[i];
            if (seen != null && Arrays.equals(b, start, end, seen, 0, seen.length)) {
                name = names[i];
                value = values[i];
                return;
            }
        }
        AsciiString newName = new AsciiString(b, start, head.nameEnd(i) - start, true);
        String newValue = text(b, head.valueStart(i), end);
        if (i < POSITIONS) {
            lines[i] = Arrays.copyOfRange(b, start, end);
            names[i] = newName;
            values[i] = newValue;
        }
        name = newName;
        value = newValue;
    }

    CharSequence name() {
        return name;
    }

    String value() {
        return value;
    }

    /** ASCII bytes as a string (the scan let only visible ASCII and spaces through). */
    static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
