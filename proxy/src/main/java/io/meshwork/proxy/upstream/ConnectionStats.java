package io.meshwork.proxy.upstream;

/**
 * Told about the upstream connections opened for one stream of traffic (a route's target, the
 * local app behind a listener, a pass-through destination): the exchange or TCP connection that
 * needs a connection passes the one for where it goes, so each connection is counted once, for
 * the traffic that opened it.
 */
public interface ConnectionStats {
    /** Counts nothing: for callers with nobody to tell. */
    ConnectionStats NONE = new ConnectionStats() {
        @Override
        public void opened() {
        }

        @Override
        public void closed() {
        }

        @Override
        public void failed() {
        }
    };

    /** A connection is up (for TLS: after the handshake and the name check). */
    void opened();

    /** A connection counted by {@link #opened()} is closed. */
    void closed();

    /** A connection could not be opened (refused, timed out, TLS failed). */
    void failed();
}
