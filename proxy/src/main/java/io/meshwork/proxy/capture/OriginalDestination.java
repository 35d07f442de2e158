package io.meshwork.proxy.capture;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Where a connection that iptables REDIRECT sent to the proxy was going: the address the app
 * dialled (outbound) or the app port a caller dialled (inbound). Linux keeps it in the
 * connection's NAT state and gives it out through {@code getsockopt(SO_ORIGINAL_DST)}
 * (IPv6: {@code IP6T_SO_ORIGINAL_DST}), the call Envoy's {@code original_dst} listener filter
 * makes. Netty has no API for it, so libc's getsockopt is called through JNA on the native
 * (epoll or io_uring) channel's file descriptor.
 */
public final class OriginalDestination {
    private static final Logger LOG = LoggerFactory.getLogger(OriginalDestination.class);
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    /** SO_ORIGINAL_DST and IP6T_SO_ORIGINAL_DST share the number. */
    private static final int SO_ORIGINAL_DST = 80;
    private static final int SOCKADDR_IN = 16;
    private static final int SOCKADDR_IN6 = 28;

    /** The one libc function used. */
    interface LibC extends Library {
        int getsockopt(int fd, int level, int optname, byte[] optval, IntByReference optlen);
    }

    private static final LibC LIBC = load();

    private OriginalDestination() {
    }

    /** Whether original destinations can be read here (Linux with libc; the channel must be a native one). */
    public static boolean available() {
        return LIBC != null;
    }

    /**
     * The original destination of an accepted connection, or null when it has none: it was not
     * redirected (a direct connection to the proxy's port), the channel is not a native (epoll or
     * io_uring) channel, or the platform cannot tell. Once a namespace has nat rules, connection tracking
     * answers for every connection, and a direct one's "original" destination is the proxy's own
     * address: that is no destination either (passing it through would loop back to the proxy).
     */
    public static InetSocketAddress of(Channel channel) {
        if (LIBC == null || !(channel instanceof UnixChannel unix) || !(channel.localAddress() instanceof InetSocketAddress local)) {
            return null;
        }
        boolean ipv6 = local.getAddress() instanceof Inet6Address;
        byte[] sockaddr = new byte[ipv6 ? SOCKADDR_IN6 : SOCKADDR_IN];
        IntByReference length = new IntByReference(sockaddr.length);
        int fd = unix.fd().intValue();
        if (LIBC.getsockopt(fd, ipv6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST, sockaddr, length) != 0) {
            return null; // ENOENT: no NAT entry, the connection was not redirected
        }
        InetSocketAddress original = parse(sockaddr, ipv6);
        return original == null || original.equals(local) ? null : original;
    }

    /** A {@code sockaddr_in} (port big-endian at 2, address at 4) or {@code sockaddr_in6} (address at 8). */
    static InetSocketAddress parse(byte[] sockaddr, boolean ipv6) {
        int port = ((sockaddr[2] & 0xff) << 8) | (sockaddr[3] & 0xff);
        try {
            InetAddress address = ipv6 ? InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 8, 24))
                    : InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8));
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }

    private static LibC load() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("cannot load libc to read where redirected connections were going ({}); sidecar mode routes inbound"
                    + " traffic to the first listener and outbound by Host only", e.toString());
            return null;
        }
    }
}
