package io.meshwork.proxy.listener;

import io.netty.channel.ChannelHandler;

import java.net.InetSocketAddress;

/**
 * One listening socket a configuration needs: where, what kind (a different kind on the same
 * port means another pipeline), and the pipeline for the connections it accepts.
 */
record ListenerSpec(InetSocketAddress address, String kind, ChannelHandler initializer) {
    String where() {
        return address.getHostString() + ":" + address.getPort();
    }
}
