package io.meshwork.proxy.resilience;

import io.meshwork.proxyapi.RetryPolicy;

import java.util.List;

/**
 * A route's retry policy as the request path asks it: may this failure be retried? App Mesh's
 * events map as Envoy's retry_on did: {@code server-error} = 500–508, 510, 511, a reset or a
 * connect failure; {@code gateway-error} = 502–504, a reset or a connect failure;
 * {@code client-error} = 409; {@code stream-error} = a stream reset before the response;
 * {@code connection-error} = a connect failure; gRPC events match the {@code grpc-status} of a
 * trailers-only response. An attempt that runs past its per-retry timeout counts as a 504. An
 * answer that cannot be decoded is what the caller would see as a 502 (the gateway error
 * events) and is a broken connection (the {@code connection-error} event).
 */
public final class RetryRules {
    /** No retries (the local app, pass-through traffic). */
    public static final RetryRules NONE = new RetryRules(0, 0, 0, false, false, false, 0);
    /**
     * App Mesh's implicit policy for routes without one (and for virtual services provided by a
     * node): 2 retries on 503, gRPC UNAVAILABLE, a connect failure, a refused or reset stream.
     */
    public static final RetryRules APP_MESH_DEFAULT = new RetryRules(2, 0, Status.only(503), true, true, false,
            Grpc.bit(14));

    private final int maxRetries;
    private final long perTryTimeoutMillis;
    private final long statusBits;   // see Status
    private final boolean connectFailure;
    private final boolean reset;
    private final boolean perTryTimeoutRetried;
    private final int grpcBits;

    private RetryRules(int maxRetries, long perTryTimeoutMillis, long statusBits, boolean connectFailure, boolean reset,
                       boolean perTryTimeoutRetried, int grpcBits) {
        this.maxRetries = maxRetries;
        this.perTryTimeoutMillis = perTryTimeoutMillis;
        this.statusBits = statusBits;
        this.connectFailure = connectFailure;
        this.reset = reset;
        this.perTryTimeoutRetried = perTryTimeoutRetried;
        this.grpcBits = grpcBits;
    }

    /** The rules for a route's policy; {@code null} (the route has none) gives App Mesh's default. */
    public static RetryRules of(RetryPolicy policy) {
        if (policy == null) {
            return APP_MESH_DEFAULT;
        }
        long status = 0;
        boolean connect = false;
        boolean reset = false;
        boolean timeout = false;
        for (String event : nonNull(policy.httpRetryEvents())) {
            switch (event) {
                case "server-error" -> {
                    status |= Status.range(500, 508) | Status.only(510) | Status.only(511);
                    connect = reset = timeout = true;
                }
                case "gateway-error" -> {
                    status |= Status.range(502, 504);
                    connect = reset = timeout = true;
                }
                case "client-error" -> status |= Status.only(409);
                case "stream-error" -> reset = true;
                default -> {
                    // App Mesh accepted any string of 1–25 characters here; unknown events never match.
                }
            }
        }
        for (String event : nonNull(policy.tcpRetryEvents())) {
            if ("connection-error".equals(event)) {
                connect = true;
            }
        }
        int grpc = 0;
        for (String event : nonNull(policy.grpcRetryEvents())) {
            grpc |= switch (event) {
                case "cancelled" -> Grpc.bit(1);
                case "deadline-exceeded" -> Grpc.bit(4);
                case "resource-exhausted" -> Grpc.bit(8);
                case "internal" -> Grpc.bit(13);
                case "unavailable" -> Grpc.bit(14);
                default -> 0;
            };
        }
        return new RetryRules(Math.max(0, policy.maxRetries()), Math.max(0, policy.perRetryTimeoutMillis()), status,
                connect, reset, timeout, grpc);
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** Bound on each attempt, 0 for none (only the request's own timeout). */
    public long perTryTimeoutMillis() {
        return perTryTimeoutMillis;
    }

    /** Whether this policy retries {@code failure}. */
    public boolean matches(AttemptFailure failure) {
        return switch (failure.kind()) {
            case CONNECT_REFUSED, CONNECT_FAILED -> connectFailure;
            case RESET -> reset;
            case PER_TRY_TIMEOUT -> perTryTimeoutRetried;
            case PROTOCOL_ERROR -> onStatus(502) || connectFailure;
            case STATUS -> onStatus(failure.status()) || onGrpcStatus(failure.grpcStatus());
        };
    }

    public boolean onStatus(int status) {
        return Status.contains(statusBits, status);
    }

    /** {@code grpcStatus} from a trailers-only response's headers. */
    public boolean onGrpcStatus(int grpcStatus) {
        return grpcStatus > 0 && grpcStatus < 32 && (grpcBits & Grpc.bit(grpcStatus)) != 0;
    }

    public boolean onConnectFailure() {
        return connectFailure;
    }

    public boolean onReset() {
        return reset;
    }

    public boolean onPerTryTimeout() {
        return perTryTimeoutRetried;
    }

    private static List<String> nonNull(List<String> events) {
        return events == null ? List.of() : events;
    }

    /** The statuses retry events name (409 and 500–515) as bits of a long. */
    private static final class Status {
        static long only(int status) {
            int bit = bit(status);
            if (bit < 0) {
                throw new IllegalArgumentException("no retry event names status " + status);
            }
            return 1L << bit;
        }

        static long range(int from, int to) {
            long bits = 0;
            for (int s = from; s <= to; s++) {
                bits |= only(s);
            }
            return bits;
        }

        static boolean contains(long bits, int status) {
            int bit = bit(status);
            return bit >= 0 && (bits & (1L << bit)) != 0;
        }

        private static int bit(int status) {
            return status >= 500 && status <= 515 ? status - 500 : status == 409 ? 16 : -1;
        }
    }

    private static final class Grpc {
        static int bit(int code) {
            return 1 << code;
        }
    }
}
