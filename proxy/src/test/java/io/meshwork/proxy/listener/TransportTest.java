package io.meshwork.proxy.listener;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * Sidecars run on x86_64 and on Graviton: without its native epoll an arm64 proxy falls back to NIO and
     * cannot read where redirected connections were going; without BoringSSL its TLS runs on the JDK's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch_64"})
    void theNativeLibrariesOfBothArchitecturesAreOnTheClasspath(String arch) {
        for (String library : new String[]{"netty_transport_native_epoll_", "netty_transport_native_io_uring42_", "netty_tcnative_linux_"}) {
            String resource = "META-INF/native/lib" + library + arch + ".so";
            assertNotNull(getClass().getClassLoader().getResource(resource), resource);
        }
    }

    @Test
    void anUnknownNameIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.fromEnvironment("kqueue"));
        assertEquals("PROXY_TRANSPORT must be epoll, io_uring or nio, got kqueue", e.getMessage());
    }
}
