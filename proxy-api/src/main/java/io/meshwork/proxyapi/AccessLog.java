package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Access logging of a node or gateway: the file ({@code /dev/stdout} works) and the format,
 * Envoy's text format string or JSON keys with Envoy command operators; neither means the
 * default line format.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessLog(String path, String text, List<JsonField> json) {
    public record JsonField(String key, String value) {
    }
}
