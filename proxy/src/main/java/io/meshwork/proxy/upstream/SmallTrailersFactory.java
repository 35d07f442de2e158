package io.meshwork.proxy.upstream;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Trailers for the HTTP/1.1 decoders on both sides: Netty's trailers with their usual
 * validation, sized for the none or few a message has. The decoder makes a set for the end of
 * every message with a body, nearly always left empty; Netty's default sizes each for 16 headers.
 */
public final class SmallTrailersFactory implements HttpHeadersFactory {
    public static final SmallTrailersFactory INSTANCE = new SmallTrailersFactory();
    private static final DefaultHttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory();

    private SmallTrailersFactory() {
    }

    @Override
    public HttpHeaders newHeaders() {
        return TRAILERS.newEmptyHeaders();
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return TRAILERS.newEmptyHeaders();
    }
}
