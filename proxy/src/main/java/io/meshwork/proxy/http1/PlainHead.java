package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * One scan of an HTTP/1.1 message head waiting in a buffer, deciding whether it is <em>plain</em>:
 * it has arrived whole, every line ends in CRLF, each header is {@code token ":" OWS value OWS}
 * with a value of visible ASCII and spaces, there is at most one {@code Content-Length} (digits
 * only) and none of the headers whose handling is subtle ({@code Transfer-Encoding}, {@code Expect},
 * {@code Upgrade}, {@code Sec-WebSocket-*}), and it is well inside the size limits. Anything else,
 * including what Netty's decoder would refuse, is "not plain" and goes to Netty's decoder unread, so
 * the errors and the edge cases stay Netty's. A head that has not arrived whole is Netty's too:
 * Netty reads a head as it trickles in (and refuses a bad first line before the rest comes), where
 * scanning it again on every read would cost a slow sender's bytes squared. The scan copies the
 * head into an array it keeps, once, and notes where each part lies; nothing is made per header.
 */
final class PlainHead {
    static final int NOT_PLAIN = -1;
    static final int MAX_HEADERS = 64;
    /** Longer heads are Netty's: the array a connection keeps for its heads stays this small. */
    static final int MAX_PLAIN_HEAD = 8192;

    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private byte[] bytes = new byte[256];
    private ByteBuf in;
    private int available;
    private int copied;

    private int firstLineEnd;
    private int count;
    private final int[] nameStart = new int[MAX_HEADERS];
    private final int[] nameEnd = new int[MAX_HEADERS];
    private final int[] valueStart = new int[MAX_HEADERS];
    private final int[] valueEnd = new int[MAX_HEADERS];
    private long contentLength;

    /**
     * Scans the head at {@code in}'s reader index without moving it: its length (through the blank
     * line) when it is complete and plain, else {@link #NOT_PLAIN}. The limits are the decoder's; a
     * plain head keeps to half of each, so that what is near a limit is Netty's to judge with its own
     * counting.
     */
    int scan(ByteBuf in, int maxFirstLine, int maxHeaderBytes) {
        this.in = in;
        try {
            return scanHead(maxFirstLine, maxHeaderBytes);
        } finally {
            this.in = null; // not kept past the scan: the decoder may release it
        }
    }

    private int scanHead(int maxFirstLine, int maxHeaderBytes) {
        available = Math.min(in.readableBytes(), MAX_PLAIN_HEAD);
        copied = 0;
        count = 0;
        contentLength = -1;
        int lf = lineFeed(0, maxFirstLine / 2 + 2);
        if (lf < 0) {
            return lf;
        }
        if (lf == 0 || bytes[lf - 1] != '\r') {
            return NOT_PLAIN;
        }
        firstLineEnd = lf - 1;
        int pos = lf + 1;
        int limit = pos + maxHeaderBytes / 2;
        while (true) {
            lf = lineFeed(pos, limit);
            if (lf < 0) {
                return lf;
            }
            if (lf == pos || bytes[lf - 1] != '\r') {
                return NOT_PLAIN;
            }
            int end = lf - 1;
            if (end == pos) {
                return lf + 1;
            }
            if (count == MAX_HEADERS || !header(pos, end)) {
                return NOT_PLAIN;
            }
            pos = lf + 1;
        }
    }

    /** The head's bytes, from the first line's first byte; valid until the next scan. */
    byte[] bytes() {
        return bytes;
    }

    /** Where the first line's CR is: the first line is {@code bytes()[0, firstLineEnd())}. */
    int firstLineEnd() {
        return firstLineEnd;
    }

    int count() {
        return count;
    }

    int nameStart(int i) {
        return nameStart[i];
    }

    int nameEnd(int i) {
        return nameEnd[i];
    }

    int valueStart(int i) {
        return valueStart[i];
    }

    int valueEnd(int i) {
        return valueEnd[i];
    }

    /** The Content-Length given, or -1 without one. */
    long contentLength() {
        return contentLength;
    }

    /** Whether {@code bytes()[start, end)} is {@code s}, ASCII. */
    boolean matches(int start, int end, String s) {
        return UpstreamHttp1Codec.KnownStrings.matches(bytes, start, end - start, s);
    }

    private int lineFeed(int from, int limit) {
        for (int i = from; ; i++) {
            if (i >= limit || i >= copied && !copyMore()) {
                return NOT_PLAIN;
            }
            if (bytes[i] == '\n') {
                return i;
            }
        }
    }

    /** Copies more of the buffer (doubling what was copied); false when all of it was. */
    private boolean copyMore() {
        if (copied == available) {
            return false;
        }
        int upTo = Math.min(available, Math.max(256, copied * 2));
        if (upTo > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(MAX_PLAIN_HEAD, Math.max(upTo, bytes.length * 2)));
        }
        in.getBytes(in.readerIndex() + copied, bytes, copied, upTo - copied);
        copied = upTo;
        return true;
    }

    private boolean header(int start, int end) {
        int i = start;
        while (i < end && token(bytes[i])) {
            i++;
        }
        if (i == start || i == end || bytes[i] != ':') {
            return false;
        }
        int nameStop = i++;
        while (i < end && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        int valueStop = end;
        while (valueStop > i && (bytes[valueStop - 1] == ' ' || bytes[valueStop - 1] == '\t')) {
            valueStop--;
        }
        for (int j = i; j < valueStop; j++) {
            byte c = bytes[j];
            if (c < 0x20 || c == 0x7f) { // control characters, tabs inside a value, and (as negative bytes) obs-text
                return false;
            }
        }
        if (!ordinary(start, nameStop, i, valueStop)) {
            return false;
        }
        nameStart[count] = start;
        nameEnd[count] = nameStop;
        valueStart[count] = i;
        valueEnd[count] = valueStop;
        count++;
        return true;
    }

    /** False for the headers whose handling Netty's decoder owns; reads Content-Length. */
    private boolean ordinary(int name, int nameStop, int value, int valueStop) {
        int length = nameStop - name;
        if (length == 14 && named(name, "content-length")) {
            if (contentLength != -1 || valueStop == value || valueStop - value > 18
                    || (bytes[value] == '0' && valueStop - value > 1)) {
                return false;
            }
            long n = 0;
            for (int j = value; j < valueStop; j++) {
                byte c = bytes[j];
                if (c < '0' || c > '9') {
                    return false;
                }
                n = n * 10 + (c - '0');
            }
            contentLength = n;
            return true;
        }
        return !(length == 17 && named(name, "transfer-encoding")
                || length == 6 && named(name, "expect")
                || length == 7 && named(name, "upgrade")
                || length >= 14 && named(name, "sec-websocket-"));
    }

    /** Whether the bytes at {@code start} begin with {@code lowercase}, ignoring case. */
    private boolean named(int start, String lowercase) {
        for (int i = 0; i < lowercase.length(); i++) {
            if ((bytes[start + i] | 0x20) != lowercase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean token(byte b) {
        return b > 0 && TOKEN[b];
    }
}
