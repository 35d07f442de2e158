package io.meshwork.proxy.observability;

/**
 * Why the proxy answered (or ended) an exchange itself: Envoy's response flags, which App Mesh
 * users read in access logs ({@code %RESPONSE_FLAGS%}) and which the proxy also sends to the
 * caller in {@code x-meshwork-flags}.
 */
public enum ResponseFlag {
    /** Nothing went wrong: the upstream's own answer. */
    NONE("-"),
    /** No route (or no listener, service or port) for the request. */
    NO_ROUTE("NR"),
    /** No healthy instance to send the request to. */
    NO_HEALTHY_UPSTREAM("UH"),
    /** The connection to the upstream could not be opened. */
    UPSTREAM_CONNECTION_FAILURE("UF"),
    /** The upstream connection closed or reset before the response was complete. */
    UPSTREAM_CONNECTION_TERMINATION("UC"),
    /** The upstream's answer could not be understood (malformed, or not HTTP at all). */
    UPSTREAM_PROTOCOL_ERROR("UPE"),
    /** The request, an attempt or the idle timeout ran out. */
    UPSTREAM_REQUEST_TIMEOUT("UT"),
    /** The connection pool in front of the upstream was full. */
    UPSTREAM_OVERFLOW("UO"),
    /** The caller went away before the exchange ended. */
    DOWNSTREAM_CONNECTION_TERMINATION("DC"),
    /** The caller's request could not be parsed. */
    DOWNSTREAM_PROTOCOL_ERROR("DPE");

    private final String code;

    ResponseFlag(String code) {
        this.code = code;
    }

    /** The short form in logs and headers ({@code UH}, {@code UPE}, ...; {@code -} for none). */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
