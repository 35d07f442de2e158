package io.meshwork.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Sits at the end of an upstream channel's pipeline for the length of one exchange and hands
 * what the upstream says to that exchange. Removed when the exchange ends, so a pooled
 * connection carries no state between exchanges.
 */
final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {
    /** The exchange's side of the relay. */
    interface Sink {
        void upstreamResponse(HttpResponse response);

        void upstreamContent(HttpContent content);

        void upstreamReadComplete();

        void upstreamWritable(boolean writable);

        void upstreamFailed(Throwable cause);
    }

    private final Sink sink;

    UpstreamRelayHandler(Sink sink) {
        this.sink = sink;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response) {
            sink.upstreamResponse(response);
        }
        if (msg instanceof HttpContent content) {
            sink.upstreamContent(content);
        } else if (!(msg instanceof HttpResponse)) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sink.upstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        sink.upstreamWritable(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sink.upstreamFailed(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        sink.upstreamFailed(cause);
        ctx.close();
    }
}
