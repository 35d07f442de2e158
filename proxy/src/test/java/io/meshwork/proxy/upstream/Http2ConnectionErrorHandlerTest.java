package io.meshwork.proxy.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;

class Http2ConnectionErrorHandlerTest {
    @Test
    void anEndpointAnsweringInHttp1ClosesTheConnectionInsteadOfReachingThePipelinesEnd() {
        EmbeddedChannel ch = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), Http2ConnectionErrorHandler.INSTANCE);
        ch.outboundMessages().clear();   // the preface and SETTINGS

        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));

        assertFalse(ch.isOpen(), "the connection is closed");
        // EmbeddedChannel rethrows whatever reached the pipeline's end: nothing did.
        assertDoesNotThrow(ch::checkException);
    }
}
