package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Gateway route rewrites. By default the matched prefix becomes {@code /} and Host becomes the
 * target service name.
 *
 * @param prefix             replacement for the matched prefix; null = default ("/")
 * @param prefixDisabled     true when the prefix is left as it is
 * @param path               replacement for an exact path match
 * @param hostnameDisabled   true when the client's Host is kept
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rewrite(String prefix, boolean prefixDisabled, String path, boolean hostnameDisabled) {
}
