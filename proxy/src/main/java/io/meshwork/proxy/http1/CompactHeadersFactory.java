package io.meshwork.proxy.http1;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Headers for the HTTP/1.1 decoders on both sides: {@link CompactHttpHeaders}, validated as
 * Netty's default headers and trailers are, sized for what a message usually carries.
 */
public final class CompactHeadersFactory implements HttpHeadersFactory {
    /** A message's headers: a handful, rarely more than a few dozen. */
    public static final CompactHeadersFactory HEADERS = new CompactHeadersFactory(DefaultHttpHeadersFactory.headersFactory(), 8);
    /** Trailers: almost always none, so no room is made until one arrives. */
    public static final CompactHeadersFactory TRAILERS = new CompactHeadersFactory(DefaultHttpHeadersFactory.trailersFactory(), 0);

    private final DefaultHeaders.NameValidator<CharSequence> names;
    private final DefaultHeaders.ValueValidator<CharSequence> values;
    private final int sizeHint;

    private CompactHeadersFactory(DefaultHttpHeadersFactory validation, int sizeHint) {
        this.names = validation.getNameValidator();
        this.values = validation.getValueValidator();
        this.sizeHint = sizeHint;
    }

    @Override
    public HttpHeaders newHeaders() {
        return new CompactHttpHeaders(names, values, sizeHint);
    }

    /** Headers with room for exactly {@code count}, for a decoder that knows how many it will add. */
    public CompactHttpHeaders withRoomFor(int count) {
        return new CompactHttpHeaders(names, values, count);
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return new CompactHttpHeaders(names, values, 0);
    }
}
