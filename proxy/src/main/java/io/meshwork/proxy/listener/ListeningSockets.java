package io.meshwork.proxy.listener;

import io.meshwork.proxy.change.PreparedChange;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's listening sockets. A new configuration's ports are bound before it is switched to
 * but accept nothing until it is in force; if one cannot be bound, those bound for it are closed
 * and the sockets in force stay as they are. Unbinding closes only the listening socket:
 * connections already accepted keep going.
 */
final class ListeningSockets {
    private static final Logger LOG = LoggerFactory.getLogger(ListeningSockets.class);

    private record Bound(String kind, Channel channel, SwappableInitializer initializer) {
    }

    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Map<InetSocketAddress, Bound> bound = new HashMap<>();

    ListeningSockets(Transport transport, EventLoopGroup boss, EventLoopGroup workers) {
        this.transport = transport;
        this.boss = boss;
        this.workers = workers;
    }

    /** Binds the sockets {@code wanted} adds; throws IllegalStateException naming the address that cannot be bound. */
    synchronized PreparedChange prepare(Map<InetSocketAddress, ListenerSpec> wanted) {
        Map<InetSocketAddress, Bound> fresh = new HashMap<>();
        List<ListenerSpec> swapped = new ArrayList<>();
        try {
            for (ListenerSpec spec : wanted.values()) {
                Bound existing = bound.get(spec.address());
                if (existing == null) {
                    fresh.put(spec.address(), bind(spec));
                } else if (!existing.kind().equals(spec.kind())) {
                    swapped.add(spec);
                }
            }
        } catch (RuntimeException e) {
            close(fresh.values());
            throw e;
        }
        return new PreparedChange() {
            @Override
            public void commit() {
                synchronized (ListeningSockets.this) {
                    fresh.forEach((address, b) -> {
                        bound.put(address, b);
                        b.channel().config().setAutoRead(true);
                        LOG.info("listening on {} ({})", address, b.kind());
                    });
                    for (ListenerSpec spec : swapped) {
                        Bound existing = bound.get(spec.address());
                        existing.initializer().swap(spec.initializer());
                        bound.put(spec.address(), new Bound(spec.kind(), existing.channel(), existing.initializer()));
                        LOG.info("listening on {} ({}, was {})", spec.address(), spec.kind(), existing.kind());
                    }
                }
            }

            @Override
            public void releasePrevious() {
                unbindAllBut(wanted);
            }

            @Override
            public void abort() {
                close(fresh.values());
            }
        };
    }

    /** A socket that does not accept yet: connections wait in its backlog until the configuration is in force. */
    private Bound bind(ListenerSpec spec) {
        SwappableInitializer initializer = new SwappableInitializer(spec.initializer());
        try {
            Channel ch = new ServerBootstrap().group(boss, workers).channelFactory(transport.servers())
                    .option(ChannelOption.SO_REUSEADDR, true).option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.AUTO_READ, true)
                    .childHandler(initializer).bind(spec.address()).syncUninterruptibly().channel();
            return new Bound(spec.kind(), ch, initializer);
        } catch (Exception e) { // Netty rethrows the bind's IOException without declaring it
            throw new IllegalStateException("cannot listen on " + spec.where() + " (" + spec.kind() + "): " + e.getMessage(), e);
        }
    }

    private synchronized void unbindAllBut(Map<InetSocketAddress, ListenerSpec> wanted) {
        List<Bound> unwanted = new ArrayList<>();
        bound.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey())) {
                return false;
            }
            LOG.info("no longer listening on {} ({})", e.getKey(), e.getValue().kind());
            unwanted.add(e.getValue());
            return true;
        });
        close(unwanted);
    }

    synchronized void closeAll() {
        close(bound.values());
        bound.clear();
    }

    /** Waits for each close (bounded: shutdown must finish even if an event loop is gone), so the port is free when this returns. */
    private static void close(Iterable<Bound> sockets) {
        for (Bound b : sockets) {
            b.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
