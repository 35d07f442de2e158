package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A query parameter that must be present, with exactly this value when {@code exact} is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueryMatch(String name, String exact) {
}
