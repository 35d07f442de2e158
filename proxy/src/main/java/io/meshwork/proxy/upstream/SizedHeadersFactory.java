package io.meshwork.proxy.upstream;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Headers for the HTTP/1.1 decoders on both sides: Netty's, with their usual validation, sized
 * for what a message usually carries. Netty sizes every set for 16 names, the trailers made for
 * the end of every message with a body (nearly always left empty) included.
 */
public final class SizedHeadersFactory implements HttpHeadersFactory {
    /** A message's headers: a handful, rarely more than a few dozen. */
    public static final SizedHeadersFactory HEADERS = new SizedHeadersFactory(DefaultHttpHeadersFactory.headersFactory(), 8);
    /** Trailers: almost always none. */
    public static final SizedHeadersFactory TRAILERS = new SizedHeadersFactory(DefaultHttpHeadersFactory.trailersFactory(), 2);

    private final DefaultHeaders.NameValidator<CharSequence> names;
    private final DefaultHeaders.ValueValidator<CharSequence> values;
    private final int sizeHint;

    private SizedHeadersFactory(DefaultHttpHeadersFactory validation, int sizeHint) {
        this.names = validation.getNameValidator();
        this.values = validation.getValueValidator();
        this.sizeHint = sizeHint;
    }

    @Override
    public HttpHeaders newHeaders() {
        return new Sized(names, values, sizeHint);
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return new Sized(names, values, 2);
    }

    /** Netty's headers, reached through their sizing constructor. */
    private static final class Sized extends DefaultHttpHeaders {
        Sized(DefaultHeaders.NameValidator<CharSequence> names, DefaultHeaders.ValueValidator<CharSequence> values, int sizeHint) {
            super(names, values, sizeHint);
        }
    }
}
