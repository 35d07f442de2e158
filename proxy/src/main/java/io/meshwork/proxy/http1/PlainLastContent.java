package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The last part of a plain message's body. A plain message has a Content-Length, so it cannot
 * carry trailers: this part has Netty's shared, unmodifiable empty trailers instead of a headers
 * object of its own, and so do its copies (one is made per retry of a request body). Netty's
 * {@code DefaultLastHttpContent} would make a headers object per part and per copy.
 */
final class PlainLastContent extends DefaultByteBufHolder implements LastHttpContent {
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    PlainLastContent(ByteBuf content) {
        super(content);
    }

    @Override
    public HttpHeaders trailingHeaders() {
        return EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public LastHttpContent copy() {
        return replace(content().copy());
    }

    @Override
    public LastHttpContent duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public LastHttpContent retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public LastHttpContent replace(ByteBuf content) {
        return new PlainLastContent(content);
    }

    @Override
    public LastHttpContent retain() {
        super.retain();
        return this;
    }

    @Override
    public LastHttpContent retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public LastHttpContent touch() {
        super.touch();
        return this;
    }

    @Override
    public LastHttpContent touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    @Deprecated
    public DecoderResult getDecoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = java.util.Objects.requireNonNull(result, "result");
    }

    @Override
    public String toString() {
        return "PlainLastContent(" + content() + ")";
    }
}
