package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Timeouts in milliseconds; null means the default (15 s per request, no idle timeout), 0 means none. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timeouts(Long perRequestMillis, Long idleMillis) {
}
