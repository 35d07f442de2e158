package io.meshwork.proxy.http;

import io.meshwork.proxy.observability.ResponseFlag;
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

    public static FullHttpResponse of(ByteBufAllocator alloc, int status, ResponseFlag flag, String message, boolean keepAlive) {
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(message + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set(FLAGS_HEADER, flag.code());
        HttpUtil.setContentLength(response, body.readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    /**
     * The same for a gRPC caller: a trailers-only response (HTTP 200, {@code grpc-status},
     * {@code grpc-message}), which gRPC libraries turn into a status their callers understand —
     * an HTTP 503 would only be a protocol error to them. A timeout is DEADLINE_EXCEEDED, an
     * unreachable or overloaded upstream UNAVAILABLE, no route UNIMPLEMENTED.
     */
    public static FullHttpResponse grpc(int status, ResponseFlag flag, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        response.headers().set("grpc-status", Integer.toString(grpcStatus(status, flag)));
        response.headers().set("grpc-message", percentEncoded(message));
        response.headers().set(FLAGS_HEADER, flag.code());
        HttpUtil.setContentLength(response, 0);
        return response;
    }

    static int grpcStatus(int status, ResponseFlag flag) {
        if (flag == ResponseFlag.UPSTREAM_REQUEST_TIMEOUT) {
            return 4;
        }
        return switch (status) {
            case 400 -> 13;
            case 401 -> 16;
            case 403 -> 7;
            case 404 -> 12;
            case 429, 502, 503, 504 -> 14;
            default -> 2;
        };
    }

    /** grpc-message is percent-encoded UTF-8 outside printable ASCII (and '%' itself). */
    private static String percentEncoded(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
