package io.meshwork.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.function.LongConsumer;

/**
 * Relays bytes from one channel to another with backpressure: the next read happens only when
 * the previous write went through, so a slow side never makes the proxy buffer more than one
 * read. Either side closing closes the other once what is in flight is written.
 */
public final class TcpRelayHandler extends ChannelInboundHandlerAdapter {
    private static final LongConsumer UNCOUNTED = bytes -> { };

    private final Channel peer;
    private final LongConsumer bytesRead;

    public TcpRelayHandler(Channel peer) {
        this(peer, UNCOUNTED);
    }

    /** Relays to {@code peer}, telling {@code bytesRead} how many bytes each read brought. */
    public TcpRelayHandler(Channel peer, LongConsumer bytesRead) {
        this.peer = peer;
        this.bytesRead = bytesRead;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            bytesRead.accept(bytes.readableBytes());
        }
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                f.channel().close();
                ctx.channel().close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeOnFlush(ctx.channel());
    }

    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
