package io.meshwork.proxy.change;

/**
 * One part of a new configuration (listening sockets, an access-log file, TLS contexts,
 * clusters), made ready without disturbing the part in force. Everything that can fail happened
 * while preparing; what is left cannot fail.
 */
public interface PreparedChange {
    /** Nothing to change for this part. */
    PreparedChange NONE = new PreparedChange() {
        @Override
        public void commit() {
        }

        @Override
        public void abort() {
        }
    };

    /** Puts the prepared state in force. */
    void commit();

    /**
     * Lets go of what the previous configuration needed and the new one does not. Runs once the
     * new configuration is the one requests see, so nothing in use is taken away.
     */
    default void releasePrevious() {
    }

    /** Discards the prepared state (closes what it opened); the part in force stays as it was. */
    void abort();
}
