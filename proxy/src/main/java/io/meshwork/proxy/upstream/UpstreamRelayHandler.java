package io.meshwork.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Sits at the end of an upstream channel's pipeline and hands what the upstream says, and how
 * it fails (a reset, or what the response guard refused), to the exchange that holds the
 * channel. A pooled connection keeps its relay; between exchanges the relay has no sink, and
 * anything the upstream sends then (it should send nothing) is dropped and closes the connection.
 */
public final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {
    /** The exchange's side of the relay. */
    public interface Sink {
        void upstreamResponse(HttpResponse response);

        void upstreamContent(HttpContent content);

        void upstreamReadComplete();

        void upstreamWritable(boolean writable);

        void upstreamFailed(Throwable cause);
    }

    public static final String NAME = "relay";
    private Sink sink;

    /** The relay of an upstream channel (every channel the connector hands out has one). */
    public static UpstreamRelayHandler of(io.netty.channel.Channel channel) {
        return (UpstreamRelayHandler) channel.pipeline().get(NAME);
    }

    public void attach(Sink exchange) {
        this.sink = exchange;
    }

    public void detach() {
        this.sink = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Sink sink = this.sink;
        if (sink == null) {
            io.netty.util.ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
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
        Sink sink = this.sink;
        if (sink != null) {
            sink.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Sink sink = this.sink;
        if (sink != null) {
            sink.upstreamWritable(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Sink sink = this.sink;
        if (sink != null) {
            sink.upstreamFailed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Sink sink = this.sink;
        if (sink != null) {
            sink.upstreamFailed(cause);
        }
        ctx.close();
    }
}
