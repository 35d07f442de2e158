package io.meshwork.proxy.http2;

import io.meshwork.proxy.http1.CompactHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

import java.util.Map;
import java.util.stream.Stream;

/**
 * The head of an HTTP/2 stream as an HTTP/1 message's headers and back, in one pass, for the
 * messages a proxy carries nearly always: requests in origin form other than CONNECT, and final
 * responses. The result is the one Netty's {@link HttpConversionUtil} gives (HeadTranslationTest
 * compares them) less the bookkeeping headers ({@code x-http2-*}) it adds and the codec removed
 * again. What this saves per message is what made the HTTP/2 path's conversions cost more than its
 * HPACK: a lower-case map of the {@code Connection} header's names, a table look-up and a lower-case
 * copy per header, the scheme written into the message and read back, and four removals afterwards.
 *
 * <p>Anything less common gets {@code false} or {@code null} back, and the caller takes Netty's way:
 * CONNECT, absolute and authority-form targets, a {@code Connection} header (its names must be
 * dropped too), a {@code TE} with several members, pseudo-headers out of place.
 *
 * <p>HTTP/2 names and values are not checked again on the way in: the HTTP/2 codec checked them as
 * it decoded the block (its default, which both pipelines keep) against the same rules the HTTP/1
 * headers apply. On the way out {@link DefaultHttp2Headers} checks them, as Netty's conversion does.
 */
final class HeadTranslation {
    private static final AsciiString AUTHORITY = Http2Headers.PseudoHeaderName.AUTHORITY.value();
    private static final AsciiString SCHEME = Http2Headers.PseudoHeaderName.SCHEME.value();
    private static final AsciiString METHOD = Http2Headers.PseudoHeaderName.METHOD.value();
    private static final AsciiString PATH = Http2Headers.PseudoHeaderName.PATH.value();
    private static final AsciiString STATUS = Http2Headers.PseudoHeaderName.STATUS.value();
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");

    /** Headers an HTTP/1 message does not take from HTTP/2: Netty's bookkeeping, and what its conversion removes afterwards. */
    private static final AsciiString[] NOT_TO_HTTP1 = Stream.concat(
            Stream.of(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TRAILER, HttpHeaderNames.CONNECTION),
            Stream.of(HttpConversionUtil.ExtensionHeaderNames.values()).map(HttpConversionUtil.ExtensionHeaderNames::text))
            .toArray(AsciiString[]::new);

    /**
     * Connection-specific headers HTTP/2 forbids, the Host that becomes {@code :authority}, and the
     * bookkeeping Netty reads instead of forwarding. {@code Connection} and {@code TE} are handled apart.
     */
    @SuppressWarnings("deprecation")
    private static final AsciiString[] NOT_TO_HTTP2 = {
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.HOST, HttpHeaderNames.UPGRADE, HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
            HttpConversionUtil.ExtensionHeaderNames.PROTOCOL.text()};

    private HeadTranslation() {
    }

    /**
     * Adds the headers of an HTTP/2 request (not CONNECT) or final response to {@code out}, which
     * is empty. {@code false}: a pseudo-header this does not expect; {@code out} may then hold
     * some headers already, and the caller clears it and asks Netty.
     */
    static boolean toHttp1(int streamId, Http2Headers in, CompactHttpHeaders out, boolean request) throws Http2Exception {
        CharSequence host = null;
        StringBuilder cookies = null;
        for (Map.Entry<CharSequence, CharSequence> header : in) {
            CharSequence name = header.getKey();
            CharSequence value = header.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (request && AUTHORITY.contentEquals(name)) {
                    host = value;
                    out.addChecked(HttpHeaderNames.HOST, AsciiString.of(value));
                } else if (request ? !(METHOD.contentEquals(name) || PATH.contentEquals(name) || SCHEME.contentEquals(name))
                        : !STATUS.contentEquals(name)) {
                    return false;
                }
            } else if (HttpHeaderNames.COOKIE.contentEquals(name)) {
                // One Cookie header on HTTP/1.1, its values joined as RFC 9113 section 8.2.3 says.
                if (cookies == null) {
                    cookies = new StringBuilder(value.length() + 16);
                } else if (!cookies.isEmpty()) {
                    cookies.append("; ");
                }
                cookies.append(value);
            } else if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                if (host == null) {
                    host = value;
                    out.addChecked(name, value);
                } else if (!AsciiString.contentEqualsIgnoreCase(host, value)) {
                    // RFC 9113 section 8.3.1: a Host that disagrees with :authority makes the request malformed.
                    throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "Conflicting ':authority' and 'host' headers found");
                }
            } else if (!anyOf(NOT_TO_HTTP1, name)) {
                out.addChecked(name, value);
            }
        }
        if (cookies != null) {
            out.addChecked(HttpHeaderNames.COOKIE, cookies.toString());
        }
        return true;
    }

    /**
     * The HTTP/2 header block of a request in origin form (or {@code *}) other than CONNECT, sent
     * over a connection of {@code scheme}, or of a response; {@code null} for anything else.
     */
    static Http2Headers toHttp2(HttpMessage message, AsciiString scheme) {
        if (!(message.headers() instanceof CompactHttpHeaders in)) {
            return null;
        }
        DefaultHttp2Headers out = new DefaultHttp2Headers(true, in.size());
        if (message instanceof HttpRequest request) {
            String uri = request.uri();
            if (scheme == null || request.method().equals(HttpMethod.CONNECT) || !(uri.startsWith("/") || uri.equals("*"))) {
                return null;
            }
            out.path(new AsciiString(uri));
            out.scheme(scheme);
            String host = in.get(HttpHeaderNames.HOST);
            if (host != null) {
                // The authority never carries userinfo (RFC 9113 section 8.3.1).
                int start = host.indexOf('@') + 1;
                if (start == host.length()) {
                    return null; // empty, or nothing but userinfo: Netty's conversion refuses it with its own message
                }
                out.authority(new AsciiString(host, start, host.length() - start));
            }
            out.method(request.method().asciiName());
        } else if (message instanceof HttpResponse response) {
            out.status(response.status().codeAsText());
        } else {
            return null;
        }
        for (int i = 0, n = in.size(); i < n; i++) {
            CharSequence name = in.nameAt(i);
            AsciiString lower = (name instanceof AsciiString ascii ? ascii : new AsciiString(name)).toLowerCase();
            if (lower.contentEquals(HttpHeaderNames.CONNECTION)) {
                return null;
            } else if (anyOf(NOT_TO_HTTP2, lower)) {
                continue;
            }
            CharSequence value = in.valueAt(i);
            if (lower.contentEquals(HttpHeaderNames.TE)) {
                // RFC 9113 section 8.2.2: TE may go on, but only as "trailers".
                if (AsciiString.indexOf(value, ',', 0) >= 0) {
                    return null;
                }
                if (AsciiString.contentEqualsIgnoreCase(AsciiString.trim(value), TRAILERS)) {
                    out.add(HttpHeaderNames.TE, TRAILERS);
                }
            } else if (lower.contentEquals(HttpHeaderNames.COOKIE)) {
                addCookies(out, value);
            } else {
                out.add(lower, value);
            }
        }
        return out;
    }

    /**
     * A Cookie header as one field per cookie, which HPACK compresses better (RFC 9113 section
     * 8.2.3), when it is the well-formed {@code "a=b; c=d"} list; otherwise as it came.
     */
    private static void addCookies(Http2Headers out, CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 255 || c == ';' && (i + 1 >= value.length() || value.charAt(++i) != ' ')) {
                out.add(HttpHeaderNames.COOKIE, value);
                return;
            }
        }
        AsciiString cookies = AsciiString.of(value);
        int start = 0;
        int semicolon;
        while ((semicolon = cookies.indexOf(';', start)) >= 0) {
            out.add(HttpHeaderNames.COOKIE, cookies.subSequence(start, semicolon, false));
            start = semicolon + 2;
        }
        out.add(HttpHeaderNames.COOKIE, cookies.subSequence(start, cookies.length(), false));
    }

    private static boolean anyOf(AsciiString[] names, CharSequence name) {
        for (AsciiString candidate : names) {
            if (candidate.length() == name.length() && candidate.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
