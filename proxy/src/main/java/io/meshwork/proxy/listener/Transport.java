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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport every listener, upstream connection and event loop uses: io_uring where the
 * kernel allows it, native epoll otherwise, NIO where neither loads. io_uring comes first because it
 * measured a third more requests per second than epoll with two thirds of the CPU per request
 * (bench/README.md): reads, writes and polls are queued to the kernel and submitted together instead
 * of one system call each. Where it is refused (Docker's and Kubernetes' RuntimeDefault seccomp
 * profiles, {@code kernel.io_uring_disabled}, kernels before 5.10) the proxy runs on epoll, as it did
 * before; {@code PROXY_TRANSPORT=epoll} chooses epoll anyway.
 */
public record Transport(Kind kind, ChannelFactory<? extends ServerChannel> servers,
                        ChannelFactory<? extends SocketChannel> sockets, ChannelFactory<? extends DatagramChannel> datagrams,
                        Supplier<IoHandlerFactory> io) {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    public enum Kind { EPOLL, IO_URING, NIO }

    /** The platform's best transport. */
    public static Transport detect() {
        return IoUring.isAvailable() ? ioUring() : bestWithoutIoUring();
    }

    private static Transport bestWithoutIoUring() {
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
            Transport best = detect();
            if (best.kind != Kind.IO_URING) {
                LOG.info("io_uring is not available here ({}); using {}", IoUring.unavailabilityCause().toString(), best.kind);
            }
            return best;
        }
        switch (name.trim().toLowerCase()) {
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
                Transport fallback = bestWithoutIoUring();
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
