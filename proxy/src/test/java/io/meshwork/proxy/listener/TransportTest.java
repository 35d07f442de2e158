package io.meshwork.proxy.listener;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TransportTest {
    @Test
    void unsetMeansTheBestThePlatformHas() {
        assertEquals(Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO, Transport.fromEnvironment(null).kind());
        assertEquals(Transport.detect().kind(), Transport.fromEnvironment(" ").kind());
    }

    @Test
    void eachNameGivesItsTransportOrTheBestFallback() {
        assertEquals(Transport.Kind.NIO, Transport.fromEnvironment("nio").kind());
        assertEquals(IoUring.isAvailable() ? Transport.Kind.IO_URING : Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO,
                Transport.fromEnvironment("IO_URING").kind());
        assertEquals(Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO, Transport.fromEnvironment("epoll").kind());
        assertFalse(Transport.fromEnvironment("nio").nativeSockets());
    }

    @Test
    void anUnknownNameIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.fromEnvironment("kqueue"));
        assertEquals("PROXY_TRANSPORT must be epoll, io_uring or nio, got kqueue", e.getMessage());
    }
}
