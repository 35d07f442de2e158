package io.meshwork.proxy.http;

import io.netty.util.AsciiString;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids in UUID form (version 4, 8-4-4-4-12 lowercase hex) from a thread-local generator:
 * unique enough to trace a request, without the cost and contention of
 * {@link java.util.UUID#randomUUID()}'s SecureRandom. Written straight into the bytes of an
 * {@link AsciiString}, which the header encoder copies as they are: no UUID, no String.
 */
final class RequestIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RequestIds() {
    }

    static AsciiString next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        byte[] out = new byte[36];
        hex(msb >>> 32, out, 0, 8);
        out[8] = '-';
        hex(msb >>> 16, out, 9, 4);
        out[13] = '-';
        hex(msb, out, 14, 4);
        out[18] = '-';
        hex(lsb >>> 48, out, 19, 4);
        out[23] = '-';
        hex(lsb, out, 24, 12);
        return new AsciiString(out, false);
    }

    /** The low {@code digits} hex digits of {@code value} into {@code out} from {@code at}. */
    private static void hex(long value, byte[] out, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }
}
