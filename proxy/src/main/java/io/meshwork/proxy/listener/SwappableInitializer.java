package io.meshwork.proxy.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * What a listening socket gives each connection it accepts: the pipeline of the listener kind in
 * force. A configuration that gives the port another kind (HTTP to TCP, say) swaps the pipeline
 * instead of rebinding the port, so the swap cannot fail and no connection is refused meanwhile;
 * connections already accepted keep the pipeline they started with.
 */
@ChannelHandler.Sharable
final class SwappableInitializer extends ChannelInitializer<Channel> {
    private volatile ChannelHandler pipeline;

    SwappableInitializer(ChannelHandler pipeline) {
        this.pipeline = pipeline;
    }

    void swap(ChannelHandler next) {
        this.pipeline = next;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(pipeline);
    }
}
