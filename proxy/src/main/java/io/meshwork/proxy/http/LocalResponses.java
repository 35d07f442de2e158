package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * Responses the proxy makes itself (no route, upstream down, timeout). The response flag goes
 * into {@code x-meshwork-flags}, the reason into the body, as one line of text.
 */
public final class LocalResponses {
    public static final String FLAGS_HEADER = "x-meshwork-flags";

    private LocalResponses() {
    }

    public static FullHttpResponse of(ByteBufAllocator alloc, int status, String flag, String message, boolean keepAlive) {
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(message + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set(FLAGS_HEADER, flag);
        HttpUtil.setContentLength(response, body.readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }
}
