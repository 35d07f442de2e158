package io.meshwork.proxy.listener;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport every listener, upstream connection and event loop uses: native epoll where the
 * platform has it, NIO otherwise, or io_uring when {@code PROXY_TRANSPORT=io_uring} asks for it. io_uring
 * queues reads, writes and polls to the kernel and submits them together instead of one system call
 * each; on the proxy benchmark it served 0.95–1.34× epoll's requests/s with 0.68–0.98× the CPU per
 * request (bench/README.md), never worse but not reliably better, so it stays opt-in: epoll is what
 * nginx, HAProxy and Envoy run on, and where io_uring is refused (Docker's and Kubernetes'
 * RuntimeDefault seccomp profiles, {@code kernel.io_uring_disabled}) the proxy says so and runs on epoll.
 */
public record Transport(Kind kind, ChannelFactory<? extends ServerChannel> servers,
                        ChannelFactory<? extends SocketChannel> sockets, ChannelFactory<? extends DatagramChannel> datagrams,
                        Supplier<IoHandlerFactory> io) {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    public enum Kind { EPOLL, IO_URING, NIO }

    /** The default: native epoll where the platform has it, NIO otherwise. */
    public static Transport detect() {
        return Epoll.isAvailable() ? epoll() : nio();
    }

    /**
     * The transport {@code PROXY_TRANSPORT} names ({@code epoll}, {@code io_uring} or {@code nio}; unset:
     * {@link #detect()}). One the platform lacks falls back to the best it has, with a warning saying why:
     * a proxy that does not start over a tuning choice would take the app's traffic down with it.
     *
     * @throws IllegalArgumentException for a name that is none of those
     */
    public static Transport fromEnvironment(String name) {
        if (name == null || name.isBlank()) {
            return detect();
        }
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "epoll":
                if (Epoll.isAvailable()) {
                    return epoll();
                }
                LOG.warn("PROXY_TRANSPORT=epoll: native epoll is not available here ({}); using NIO", Epoll.unavailabilityCause().toString());
                return nio();
            case "io_uring":
            case "iouring":
            case "io-uring":
                if (IoUring.isAvailable()) {
                    return ioUring();
                }
                Transport fallback = detect();
                LOG.warn("PROXY_TRANSPORT=io_uring: io_uring is not available here ({}); using {}", IoUring.unavailabilityCause().toString(),
                        fallback.kind());
                return fallback;
            case "nio":
                return nio();
            default:
                throw new IllegalArgumentException("PROXY_TRANSPORT must be epoll, io_uring or nio, got " + name);
        }
    }

    private static Transport epoll() {
        return new Transport(Kind.EPOLL, EpollServerSocketChannel::new, EpollSocketChannel::new, EpollDatagramChannel::new,
                EpollIoHandler::newFactory);
    }

    private static Transport ioUring() {
        return new Transport(Kind.IO_URING, IoUringServerSocketChannel::new, IoUringSocketChannel::new, IoUringDatagramChannel::new,
                IoUringIoHandler::newFactory);
    }

    private static Transport nio() {
        return new Transport(Kind.NIO, NioServerSocketChannel::new, NioSocketChannel::new, NioDatagramChannel::new,
                NioIoHandler::newFactory);
    }

    /** Whether accepted connections are native sockets whose file descriptor can be asked for their original destination. */
    public boolean nativeSockets() {
        return kind != Kind.NIO;
    }

    public EventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, io.get());
    }
}
