package io.meshwork.proxy.listener;

import io.meshwork.proxy.change.PreparedChange;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Listening sockets of a configuration not yet in force: bound (so a busy port refuses the
 * configuration early) but serving nothing until committed, and gone again when aborted.
 */
class ListeningSocketsTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.202", 8010);

    private final Transport transport = Transport.detect();
    private final EventLoopGroup boss = transport.group(1);
    private final EventLoopGroup workers = transport.group(1);
    private final ListeningSockets sockets = new ListeningSockets(transport, boss, workers);

    @AfterEach
    void stop() {
        sockets.closeAll();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aPreparedPortServesNothingUntilCommitted() throws Exception {
        PreparedChange prepared = sockets.prepare(Map.of(ADDRESS, new ListenerSpec(ADDRESS, "greeting", greeting("hello"))));
        try (Socket early = new Socket()) {
            early.connect(ADDRESS, 2000); // the kernel takes it into the backlog
            early.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> early.getInputStream().read(), "not served before the commit");

            prepared.commit();

            early.setSoTimeout(5000);
            assertEquals("hello", readLine(early), "served once the configuration is in force");
        }
    }

    @Test
    void anAbortedPortIsFreeAgainAndTheConnectionsWaitingOnItAreDropped() throws Exception {
        PreparedChange prepared = sockets.prepare(Map.of(ADDRESS, new ListenerSpec(ADDRESS, "greeting", greeting("hello"))));
        try (Socket early = new Socket()) {
            early.connect(ADDRESS, 2000);
            early.setSoTimeout(5000);

            prepared.abort();

            assertEquals(-1, readOrReset(early), "never served by a configuration that was refused");
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(ADDRESS); // nothing holds the port any more
        }
    }

    @Test
    void anotherKindOnAPortInForceSwapsItsPipelineWithoutRebinding() throws Exception {
        sockets.prepare(Map.of(ADDRESS, new ListenerSpec(ADDRESS, "first", greeting("first")))).commit();
        try (Socket kept = new Socket(ADDRESS.getAddress(), ADDRESS.getPort())) {
            kept.setSoTimeout(5000);
            assertEquals("first", readLine(kept));

            PreparedChange second = sockets.prepare(Map.of(ADDRESS, new ListenerSpec(ADDRESS, "second", greeting("second"))));
            second.commit();
            second.releasePrevious();

            try (Socket next = new Socket(ADDRESS.getAddress(), ADDRESS.getPort())) {
                next.setSoTimeout(5000);
                assertEquals("second", readLine(next));
            }
            kept.getOutputStream().write("still here\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still here", readLine(kept), "the connection accepted before the swap keeps its pipeline");
        }
    }

    private static ChannelHandler greeting(String text) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(Unpooled.copiedBuffer(text + "\n", StandardCharsets.US_ASCII));
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg); // echoes, to show a connection is still served
                    }
                });
            }
        };
    }

    private static String readLine(Socket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = socket.getInputStream().read(); c != '\n' && c != -1; c = socket.getInputStream().read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** -1 for an orderly close or a reset: either way the peer is gone. */
    private static int readOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }
}
