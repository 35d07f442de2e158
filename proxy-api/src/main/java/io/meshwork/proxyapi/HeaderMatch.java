package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A header (or gRPC metadata) condition: one of exact/prefix/suffix/regex/range, or none of
 * them for "present"; {@code invert} negates it. Ranges are [start, end).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeaderMatch(String name, boolean invert, String exact, String prefix, String suffix, String regex,
                          Long rangeStart, Long rangeEnd) {
}
