package io.meshwork.proxy.capture;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.*;

class OriginalDestinationTest {
    @Test
    void readsTheKernelsSockaddrLayouts() {
        byte[] in4 = {2, 0, 0x1f, (byte) 0x90, 10, 99, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(new InetSocketAddress("10.99.0.2", 8080), OriginalDestination.parse(in4, false));
        byte[] in6 = new byte[28];
        in6[0] = 10;
        in6[2] = 0x15;
        in6[3] = 0x38;
        in6[8] = (byte) 0xfd;
        in6[23] = 1;
        assertEquals(new InetSocketAddress("fd00::1", 5432), OriginalDestination.parse(in6, true));
    }

    @Test
    void aChannelThatIsNotANativeSocketHasNone() {
        assertNull(OriginalDestination.of(new io.netty.channel.embedded.EmbeddedChannel()));
    }
}
