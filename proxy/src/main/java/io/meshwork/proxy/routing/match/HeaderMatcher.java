package io.meshwork.proxy.routing.match;

import io.meshwork.proxyapi.HeaderMatch;

import java.util.regex.Pattern;

/** One compiled header (or gRPC metadata) condition. */
final class HeaderMatcher {
    private final String name;
    private final HeaderMatch match;
    private final Pattern regex;

    HeaderMatcher(HeaderMatch match) {
        this.name = match.name().toLowerCase(java.util.Locale.ROOT);
        this.match = match;
        this.regex = match.regex() == null ? null : Pattern.compile(match.regex());
    }

    String name() {
        return name;
    }

    /** {@code value} is the header's value, or null when the request does not carry it. */
    boolean matches(String value) {
        return test(value) != match.invert();
    }

    private boolean test(String value) {
        if (value == null) {
            return false;
        }
        if (match.exact() != null) {
            return value.equals(match.exact());
        }
        if (match.prefix() != null) {
            return value.startsWith(match.prefix());
        }
        if (match.suffix() != null) {
            return value.endsWith(match.suffix());
        }
        if (regex != null) {
            return regex.matcher(value).matches();
        }
        if (match.rangeStart() != null && match.rangeEnd() != null) {
            try {
                long n = Long.parseLong(value.trim());
                return n >= match.rangeStart() && n < match.rangeEnd();
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }
}
