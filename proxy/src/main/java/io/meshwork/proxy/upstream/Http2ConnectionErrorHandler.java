package io.meshwork.proxy.upstream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream HTTP/2 connection: a connection-level error (an endpoint that
 * answers the preface in HTTP/1.1, a broken frame, a reset socket) closes the connection, which
 * fails its streams and so their attempts, where retries and outlier detection see it. Without it
 * the error reached the end of the pipeline and Netty logged a warning with a stack trace for
 * every such connection.
 */
@ChannelHandler.Sharable
final class Http2ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
    static final Http2ConnectionErrorHandler INSTANCE = new Http2ConnectionErrorHandler();
    private static final Logger LOG = LoggerFactory.getLogger(Http2ConnectionErrorHandler.class);

    private Http2ConnectionErrorHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP/2 connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
