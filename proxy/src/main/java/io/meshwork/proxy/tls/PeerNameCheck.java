package io.meshwork.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
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
            X509Certificate peer = ssl == null ? null : SubjectNames.peer(ssl);
            if (ssl != null && (peer == null || !SubjectNames.matches(peer, wanted))) {
                LOG.info("refused a client from {}: its certificate names {} , the listener accepts {}", ctx.channel().remoteAddress(),
                        peer == null ? "nothing" : SubjectNames.of(peer), wanted);
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
        super.userEventTriggered(ctx, evt);
    }

}
