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
        if (index < 0 || index >= LENGTH) {
            throw new IndexOutOfBoundsException(index);
        }
        if (index == 8 || index == 13 || index == 18 || index == 23) {
            return '-';
        }
        // The hex digit's place among the 32, skipping the dashes before it.
        int digit = index - (index > 23 ? 4 : index > 18 ? 3 : index > 13 ? 2 : index > 8 ? 1 : 0);
        long bits = digit < 16 ? high : low;
        return HEX[(int) (bits >>> (60 - 4 * (digit & 15))) & 0xf];
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
