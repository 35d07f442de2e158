package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A node's service discovery. For {@code dns} the calling proxy resolves {@code hostname}
 * (respecting record TTLs): with {@code LOADBALANCER} it is one address, with {@code ENDPOINTS}
 * every returned address is an instance. {@code cloudMap} and {@code none} rely on endpoints
 * the control plane sends.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Discovery(String type, String hostname, String responseType, String ipPreference) {
    public static final String DNS = "dns";
    public static final String CLOUD_MAP = "cloudMap";
    public static final String NONE = "none";
}
