package io.meshwork.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;

/**
 * An HTTP/1.1 decoder that reads plain messages itself and hands every other message to Netty's
 * decoder. A plain message ({@link PlainHead}: a head of ordinary headers, a body of a given length
 * or none) comes out as Netty's decoder would make it, with the header names and values that
 * repeat on the connection shared from message to message ({@link RepeatedHeaders}) instead of
 * made anew. A message that is not plain is given to Netty's decoder unread, and that decoder
 * reads until the message ends; after a message it refused, or a switch of protocol, it reads
 * everything that follows. So malformed input meets Netty's checks and errors exactly as before.
 */
public abstract class PlainHeadDecoder extends ByteToMessageDecoder {
    /**
     * Netty's decoder, driven by this one: it is never in the pipeline itself, so this one passes
     * on what it would have been told there.
     */
    interface Fallback {
        void decodeNext(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;

        void decodeAtEnd(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;

        /** As in the pipeline: Netty's decoder skips what is left of a refused body, then fires the event on. */
        void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception;

        /** Releases its line buffer, as its removal from a pipeline would. */
        void removed(ChannelHandlerContext ctx) throws Exception;
    }

    /** Body parts up to this size are copied rather than sliced (see {@link #body}). */
    static final int COPY_AT_MOST = 1024;

    protected final PlainHead head = new PlainHead();
    protected final RepeatedHeaders repeated = new RepeatedHeaders();
    private final int maxFirstLine;
    private final int maxHeaderBytes;
    private final int maxChunk;
    private final HttpDecoderConfig config;
    private Fallback fallback;
    /** Body bytes of the plain message being read that are still to come. */
    private long remaining;
    /** Netty's decoder is reading the current message. */
    private boolean delegating;
    /** Netty's decoder reads everything from now on. */
    private boolean delegatingForGood;

    protected PlainHeadDecoder(HttpDecoderConfig config) {
        maxFirstLine = config.getMaxInitialLineLength();
        maxHeaderBytes = config.getMaxHeaderSize();
        maxChunk = config.getMaxChunkSize();
        this.config = config;
    }

    /** Netty's decoder for this side, configured as this one. */
    abstract Fallback newFallback(HttpDecoderConfig config);

    /** Netty's decoder, made when a message first needs it: most connections never send one that is not plain. */
    private Fallback fallback() {
        if (fallback == null) {
            fallback = newFallback(config);
        }
        return fallback;
    }

    /** The message for the plain head just scanned, or null to leave it to Netty's decoder. */
    abstract HttpMessage plainMessage(PlainHead head);

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (delegating) {
            delegate(ctx, in, out);
            return;
        }
        if (remaining > 0) {
            body(ctx, in, out);
            return;
        }
        int length = head.scan(in, maxFirstLine, maxHeaderBytes);
        HttpMessage message = length == PlainHead.NOT_PLAIN ? null : plainMessage(head);
        if (message == null) {
            delegating = true;
            delegate(ctx, in, out);
            return;
        }
        in.skipBytes(length);
        out.add(message);
        long contentLength = head.contentLength();
        if (contentLength <= 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            remaining = contentLength;
        }
    }

    private void body(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return;
        }
        int n = (int) Math.min(Math.min(readable, maxChunk), remaining);
        // A small part is copied into a buffer of its own, which the pooling allocator recycles: a
        // slice of the read buffer would be one more object per part, and would keep all of that
        // buffer until the part is written.
        ByteBuf content = n <= COPY_AT_MOST ? ctx.alloc().buffer(n, n).writeBytes(in, n) : in.readRetainedSlice(n);
        remaining -= n;
        out.add(remaining == 0 ? new PlainLastContent(content) : new DefaultHttpContent(content));
    }

    private void delegate(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        int before = out.size();
        fallback().decodeNext(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object decoded = out.get(i);
            if (decoded instanceof HttpMessage message) {
                if (message.decoderResult().isFailure()
                        || message instanceof HttpResponse response && response.status().code() == 101) {
                    delegatingForGood = true;
                }
            }
            if (decoded instanceof LastHttpContent last) {
                if (last.decoderResult().isFailure()) {
                    delegatingForGood = true;
                }
                delegating = delegatingForGood;
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!delegating && remaining == 0 && in.isReadable()) {
            delegating = true; // a head cut short: Netty's decoder says what it says about one
        }
        if (delegating) {
            fallback().decodeAtEnd(ctx, in, out);
        } else {
            // The rest of a plain body, if any; a body cut short ends without its last part, as with Netty's decoder.
            super.decodeLast(ctx, in, out);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HttpExpectationFailedEvent && delegating) {
            // Only a message with Expect waits for 100-continue, and those are Netty's decoder's: it decides
            // from its own state whether the rest of the body is to be skipped, and fires the event on.
            fallback().userEventTriggered(ctx, evt);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (fallback != null) {
            fallback.removed(ctx);
        }
        super.handlerRemoved0(ctx);
    }
}
