package io.meshwork.proxy.http2;

import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 frame codecs of both sides, made in one place because the stream codec relies on
 * how they are made: they check every header name and value as they decode a block (Netty's
 * default, kept here), so {@link HeadTranslation} need not check them again on the way to HTTP/1
 * (Http2FrameCodecsTest holds them to it).
 */
public final class Http2FrameCodecs {
    private Http2FrameCodecs() {
    }

    /** For connections from clients: at most {@code maxConcurrentStreams} streams, header lists of at most {@code maxHeaderListSize}. */
    public static Http2FrameCodec server(int maxConcurrentStreams, long maxHeaderListSize) {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams).maxHeaderListSize(maxHeaderListSize))
                .autoAckPingFrame(true).build();
    }

    /** For connections to upstreams. */
    public static Http2FrameCodec client() {
        return Http2FrameCodecBuilder.forClient().autoAckPingFrame(true).build();
    }
}
