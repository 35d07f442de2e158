package io.meshwork.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Under the DROP_ALL egress filter, the one kind of destination App Mesh let through without a
 * backend: AWS endpoints ({@code *.amazonaws.com}). Looks at the first bytes an unknown
 * destination is sent: a TLS ClientHello goes on to the TLS check of its server name, plain
 * HTTP to the HTTP path (whose routing lets only AWS hosts through, and answers others 404 NR);
 * anything else is refused, and so is a connection that sends nothing within
 * {@value #PEEK_MILLIS} ms (a protocol where the server speaks first has no name to check).
 */
final class AwsEndpointsOnlyHandler extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(AwsEndpointsOnlyHandler.class);
    static final long PEEK_MILLIS = 5_000;
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final InetSocketAddress destination;
    private final Supplier<ChannelHandler> tlsCheck;
    private final Supplier<ChannelHandler> http;
    private ScheduledFuture<?> deadline;

    AwsEndpointsOnlyHandler(InetSocketAddress destination, Supplier<ChannelHandler> tlsCheck, Supplier<ChannelHandler> http) {
        this.destination = destination;
        this.tlsCheck = tlsCheck;
        this.http = http;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            if (ctx.pipeline().context(this) != null) {
                refuse(ctx, "it sent nothing to tell where it goes");
            }
        }, PEEK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        int first = in.getUnsignedByte(in.readerIndex());
        ChannelHandler next = first == TLS_HANDSHAKE_RECORD ? tlsCheck.get() : isTokenChar(first) ? http.get() : null;
        if (next == null) {
            in.skipBytes(in.readableBytes());
            refuse(ctx, "it is neither TLS nor HTTP");
            return;
        }
        deadline.cancel(false);
        // What this handler read goes on to the next one when it leaves the pipeline.
        ctx.pipeline().addAfter(ctx.name(), null, next);
        ctx.pipeline().remove(this);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        LOG.debug("outbound connection to {} refused (egress filter DROP_ALL, no backend there; {})", destination, why);
        ctx.close();
    }

    /** HTTP methods start with an uppercase token character. */
    private static boolean isTokenChar(int b) {
        return b >= 'A' && b <= 'Z';
    }
}
