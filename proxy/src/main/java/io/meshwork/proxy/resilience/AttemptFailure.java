package io.meshwork.proxy.resilience;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;

/**
 * How one attempt of a request failed, in the terms retry policies use.
 *
 * @param kind       what happened
 * @param status     the upstream's HTTP status, for {@link Kind#STATUS}
 * @param grpcStatus the {@code grpc-status} of a trailers-only answer, for {@link Kind#STATUS}; -1 if none
 */
public record AttemptFailure(Kind kind, int status, int grpcStatus) {
    /** What happened to the attempt. */
    public enum Kind {
        /** Nothing accepted the connection (refused, or no route to the address): the request reached no instance. */
        CONNECT_REFUSED,
        /** The connection could not be opened in time, or its TLS handshake (or the server's name check) failed. */
        CONNECT_FAILED,
        /** The connection or stream was closed or reset before a response. */
        RESET,
        /** The upstream's answer could not be decoded as HTTP, or was not one a caller can be given. */
        PROTOCOL_ERROR,
        /** The attempt ran past the route's per-retry timeout. */
        PER_TRY_TIMEOUT,
        /** The upstream answered with a status (or gRPC status) the policy may retry. */
        STATUS
    }

    public static AttemptFailure connectFailed() {
        return new AttemptFailure(Kind.CONNECT_FAILED, 0, -1);
    }

    public static AttemptFailure connectRefused() {
        return new AttemptFailure(Kind.CONNECT_REFUSED, 0, -1);
    }

    /** A connection that could not be opened, by why: refused or unreachable at once, or anything else. */
    public static AttemptFailure connectFailed(Throwable cause) {
        boolean refused = cause instanceof NoRouteToHostException
                || cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException);
        return refused ? connectRefused() : connectFailed();
    }

    public static AttemptFailure reset() {
        return new AttemptFailure(Kind.RESET, 0, -1);
    }

    public static AttemptFailure protocolError() {
        return new AttemptFailure(Kind.PROTOCOL_ERROR, 0, -1);
    }

    public static AttemptFailure perTryTimeout() {
        return new AttemptFailure(Kind.PER_TRY_TIMEOUT, 0, -1);
    }

    public static AttemptFailure status(int status, int grpcStatus) {
        return new AttemptFailure(Kind.STATUS, status, grpcStatus);
    }

    /**
     * Whether the request reached an upstream. A refused connection did not: retrying it
     * elsewhere gives the cluster the load the dead instance would have had, never more, so it
     * needs no retry budget. A connect timeout or a failed TLS handshake may be an overloaded
     * instance (and a handshake costs it CPU): those retries are budgeted like any other.
     */
    public boolean reachedUpstream() {
        return kind != Kind.CONNECT_REFUSED;
    }

    /** Whether outlier detection counts it against the instance: a 5xx, gRPC UNAVAILABLE, or no usable answer at all. */
    public boolean countsAgainstInstance() {
        return kind != Kind.STATUS || status >= 500 || grpcStatus == 14;
    }

    /** The reason in the retry metric: the status, {@code grpc-N}, {@code connect}, {@code reset}, {@code protocol}, {@code timeout}. */
    public String reason() {
        return switch (kind) {
            case CONNECT_REFUSED, CONNECT_FAILED -> "connect";
            case RESET -> "reset";
            case PROTOCOL_ERROR -> "protocol";
            case PER_TRY_TIMEOUT -> "timeout";
            case STATUS -> grpcStatus > 0 ? "grpc-" + grpcStatus : Integer.toString(status);
        };
    }
}
