package io.meshwork.proxy.routing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.FastThreadLocal;

import java.net.URI;
import java.util.Locale;

/**
 * The host and port a request was addressed to: from an absolute request-target (the proxy
 * used as {@code http_proxy}), else from Host (HTTP/2's :authority arrives as Host).
 */
public record Authority(String host, Integer port) {
    /**
     * The Host values this thread parsed last. A caller sends the same few Hosts again and again, and
     * an {@code Authority} (and the boxed port of a Host with one) per request is garbage the JIT only
     * sometimes removes: once HTTP/2 requests have run through the same routing code, it no longer
     * does, and the single hop allocates 24 bytes more per request.
     */
    private static final FastThreadLocal<RecentHosts> RECENT = new FastThreadLocal<>() {
        @Override
        protected RecentHosts initialValue() {
            return new RecentHosts();
        }
    };

    public static Authority of(HttpRequest request) {
        String uri = request.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            try {
                URI parsed = URI.create(uri);
                if (parsed.getHost() != null) {
                    return new Authority(parsed.getHost().toLowerCase(Locale.ROOT), parsed.getPort() < 0 ? null : parsed.getPort());
                }
            } catch (IllegalArgumentException ignored) {
                // fall back to Host
            }
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        return host == null ? NONE : RECENT.get().parse(host);
    }

    private static final Authority NONE = new Authority("", null);

    static Authority parse(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && colon > h.lastIndexOf(']')) {
            try {
                return new Authority(h.substring(0, colon), Integer.parseInt(h.substring(colon + 1)));
            } catch (NumberFormatException e) {
                return new Authority(h, null);
            }
        }
        return new Authority(h, null);
    }

    /** The request's path and query as an origin-form request-target. */
    public static String originForm(HttpRequest request) {
        String uri = request.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            int start = uri.indexOf('/', uri.indexOf("//") + 2);
            return start < 0 ? "/" : uri.substring(start);
        }
        return uri;
    }

    /** A few slots, each the last Host whose hash fell there and what it parsed to; a miss parses and takes the slot. */
    private static final class RecentHosts {
        private static final int SLOTS = 8; // a power of two
        private final String[] hosts = new String[SLOTS];
        private final Authority[] parsed = new Authority[SLOTS];

        Authority parse(String host) {
            int slot = host.hashCode() & (SLOTS - 1);
            if (host.equals(hosts[slot])) {
                return parsed[slot];
            }
            Authority authority = Authority.parse(host);
            hosts[slot] = host;
            parsed[slot] = authority;
            return authority;
        }
    }
}
