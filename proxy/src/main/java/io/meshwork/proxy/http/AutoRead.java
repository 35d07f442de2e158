package io.meshwork.proxy.http;

import io.netty.channel.Channel;

/** Pausing and resuming a connection's reading, as the exchange's backpressure asks. */
final class AutoRead {
    private AutoRead() {
    }

    /** Sets auto-read only when it changes: the setting is an atomic swap, and this runs for every exchange. */
    static void set(Channel ch, boolean read) {
        if (ch.config().isAutoRead() != read) {
            ch.config().setAutoRead(read);
        }
    }
}
