package io.meshwork.proxy.resilience;

/**
 * The caller's deadline from a gRPC request's {@code grpc-timeout} header (1–8 digits and a unit:
 * H, M, S, m, u, n). The proxy honours it: a call never waits longer than its caller would.
 */
public final class GrpcTimeout {
    private GrpcTimeout() {
    }

    /** Milliseconds (at least 1), or -1 when the header is absent or malformed. */
    public static long millis(String header) {
        if (header == null || header.length() < 2 || header.length() > 9) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < header.length() - 1; i++) {
            char c = header.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        long millis = switch (header.charAt(header.length() - 1)) {
            case 'H' -> value * 3_600_000L;
            case 'M' -> value * 60_000L;
            case 'S' -> value * 1_000L;
            case 'm' -> value;
            case 'u' -> value / 1_000L;
            case 'n' -> value / 1_000_000L;
            default -> -1;
        };
        return millis < 0 ? -1 : Math.max(1, millis);
    }
}
