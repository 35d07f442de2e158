package io.meshwork.proxy.http;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A request id in UUID form (version 4, 8-4-4-4-12 lowercase hex) from a thread-local generator:
 * unique enough to trace a request, without the cost and contention of
 * {@link java.util.UUID#randomUUID()}'s SecureRandom. It is kept as its 128 bits and read as text
 * one character at a time, which is how the header encoders copy it: one small object per
 * request instead of a string and its bytes.
 */
final class RequestId implements CharSequence {
    private static final int LENGTH = 36;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** For each position of the text, how far its hex digit is shifted in its long (the first 18 characters are {@link #high}'s); -1 for a dash. */
    private static final byte[] SHIFT = new byte[LENGTH];

    static {
        int digit = 0;
        for (int i = 0; i < LENGTH; i++) {
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            SHIFT[i] = (byte) (dash ? -1 : 60 - 4 * (digit++ & 15));
        }
    }

    private final long high;
    private final long low;

    private RequestId(long high, long low) {
        this.high = high;
        this.low = low;
    }

    static RequestId random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L; // version 4
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;  // IETF variant
        return new RequestId(high, low);
    }

    @Override
    public int length() {
        return LENGTH;
    }

    @Override
    public char charAt(int index) {
        // A table lookup, not arithmetic: the encoders call this for every character of every id.
        int shift = SHIFT[index]; // throws for an index out of range, as a CharSequence must
        if (shift < 0) {
            return '-';
        }
        return HEX[(int) ((index < 19 ? high : low) >>> shift) & 0xf];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        char[] text = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            text[i] = charAt(i);
        }
        return new String(text);
    }
}
