package io.meshwork.proxy.tls;

import io.meshwork.proxyapi.Tls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * TLS in front of a listener's own pipeline, per connection from the settings in force: STRICT
 * takes TLS only, PERMISSIVE takes TLS or plaintext (decided from the first bytes), no TLS
 * setting passes straight through. Client certificates are required when the listener has a
 * validation (mTLS); listed subjectAltNames are checked once the handshake is done.
 */
@ChannelHandler.Sharable
public final class TlsInbound extends ChannelInitializer<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(TlsInbound.class);

    private final int port;
    private final TlsContexts contexts;
    private final ChannelHandler next;

    public TlsInbound(int port, TlsContexts contexts, ChannelHandler next) {
        this.port = port;
        this.contexts = contexts;
        this.next = next;
    }

    @Override
    protected void initChannel(Channel ch) {
        Tls.Server tls = contexts.listenerTls(port);
        if (tls != null) {
            SslContext context;
            try {
                context = contexts.server(port);
            } catch (RuntimeException e) {
                LOG.warn("port {} refuses a connection: its TLS is not ready ({})", port, e.getMessage());
                ch.close();
                return;
            }
            ch.pipeline().addLast("tls", tls.strict() ? context.newHandler(ch.alloc()) : new OptionalSslHandler(context));
            List<String> names = tls.validation() == null ? null : tls.validation().subjectAlternativeNames();
            if (names != null && !names.isEmpty()) {
                ch.pipeline().addLast("peer-names", new PeerNameCheck(names));
            }
        }
        ch.pipeline().addLast(next);
    }
}
