package io.meshwork.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.List;

/**
 * Tells HTTP/2 with prior knowledge (h2c, as gRPC clients speak) from HTTP/1.1 by the first
 * bytes of a connection, then sets up the matching pipeline and steps aside.
 */
public final class ProtocolDetectionHandler extends ByteToMessageDecoder {
    /** Builds the rest of the pipeline once the protocol is known. */
    public interface Setup {
        void http1(ChannelHandlerContext ctx);

        void http2(ChannelHandlerContext ctx);
    }

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final Setup setup;

    public ProtocolDetectionHandler(Setup setup) {
        this.setup = setup;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n)) {
            setup.http1(ctx);
            ctx.pipeline().remove(this);
            return;
        }
        if (n == PREFACE.readableBytes()) {
            setup.http2(ctx);
            ctx.pipeline().remove(this);
        }
    }
}
