package io.meshwork.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits after an upstream channel's HTTP decoder and lets through only what a caller can be
 * given. A message the decoder failed on (Netty hands it on with status 999 and a failed
 * decoder result), a status outside 100–599, or a 101 when no upgrade was asked for becomes an
 * {@link UpstreamProtocolException} and closes the connection: a proxy never invents a status,
 * and a connection whose byte stream lost its framing is never reused. Interim answers (100,
 * 102, 103) are dropped here; the final response follows them.
 */
public final class UpstreamResponseGuardHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "response-guard";

    private boolean skippingInterim;
    private boolean broken;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (broken) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String refusal = refusal(msg);
        if (refusal != null) {
            broken = true;
            Throwable cause = msg instanceof HttpObject o ? o.decoderResult().cause() : null;
            ReferenceCountUtil.release(msg);
            ctx.fireExceptionCaught(new UpstreamProtocolException(refusal, cause));
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse response && response.status().code() < 200) {
            skippingInterim = true;
        }
        if (skippingInterim) {
            if (msg instanceof LastHttpContent) {
                skippingInterim = false;
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Why {@code msg} cannot go to a caller, or null if it can. */
    private static String refusal(Object msg) {
        if (msg instanceof HttpObject object) {
            DecoderResult result = object.decoderResult();
            if (!result.isSuccess()) {
                String part = msg instanceof HttpResponse ? "response head" : msg instanceof HttpContent ? "response body" : "response";
                return "malformed " + part + ": " + (result.cause() == null ? "undecodable" : result.cause().getMessage());
            }
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code < 100 || code > 599) {
                return "status " + code + " is outside 100-599";
            }
            if (code == 101) {
                return "101 Switching Protocols, but no upgrade was asked for";
            }
        }
        return null;
    }
}
