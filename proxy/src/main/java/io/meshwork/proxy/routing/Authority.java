package io.meshwork.proxy.routing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

import java.net.URI;
import java.util.Locale;

/**
 * The host and port a request was addressed to: from an absolute request-target (the proxy
 * used as {@code http_proxy}), else from Host (HTTP/2's :authority arrives as Host).
 */
public record Authority(String host, Integer port) {
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
        return host == null ? new Authority("", null) : parse(host);
    }

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
}
