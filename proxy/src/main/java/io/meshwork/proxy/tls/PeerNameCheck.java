package io.meshwork.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Closes a TLS connection whose peer certificate carries none of the subjectAltNames the
 * listener's validation lists (App Mesh's {@code subjectAlternativeNames.match.exact}).
 */
final class PeerNameCheck extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PeerNameCheck.class);
    private final List<String> wanted;

    PeerNameCheck(List<String> wanted) {
        this.wanted = wanted;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            String refusal = ssl == null ? null : SubjectNames.refusal(ssl, wanted);
            if (refusal != null) {
                LOG.info("refused a client from {}: {}", ctx.channel().remoteAddress(), refusal);
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
        super.userEventTriggered(ctx, evt);
    }

}
