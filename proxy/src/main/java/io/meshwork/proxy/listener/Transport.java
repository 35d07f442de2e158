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

/** Native epoll where the platform has it, NIO otherwise: event loops and channel types to match. */
public record Transport(boolean epoll, ChannelFactory<? extends ServerChannel> servers,
                        ChannelFactory<? extends SocketChannel> sockets, ChannelFactory<? extends DatagramChannel> datagrams) {
    public static Transport detect() {
        if (Epoll.isAvailable()) {
            return new Transport(true, EpollServerSocketChannel::new, EpollSocketChannel::new, EpollDatagramChannel::new);
        }
        return new Transport(false, NioServerSocketChannel::new, NioSocketChannel::new, NioDatagramChannel::new);
    }

    public EventLoopGroup group(int threads) {
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, io);
    }
}
