package io.meshwork.controlapi.auth.aws;

import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.config.StartupFailure;
import jakarta.inject.Singleton;

import java.net.URI;
import java.util.Locale;

/**
 * The one STS endpoint AWS logins are checked against and sent to, and the region callers sign
 * for. The control API never sends a login to a URL the caller chose.
 */
@Singleton
public final class StsEndpoint {
    private final URI url;
    private final String region;

    public StsEndpoint(StsSettings sts, ControlApiSettings settings) {
        this.region = sts.region() != null && !sts.region().isBlank() ? sts.region().trim() : settings.region();
        String endpoint = sts.endpoint() != null && !sts.endpoint().isBlank() ? sts.endpoint().trim()
                : "https://sts." + region + (region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
        URI parsed;
        try {
            parsed = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure("CONTROL_API_STS_ENDPOINT '" + endpoint + "' is not a URL");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || parsed.getHost() == null
                || parsed.getRawQuery() != null || !(parsed.getRawPath() == null || parsed.getRawPath().isEmpty()
                || parsed.getRawPath().equals("/"))) {
            throw new StartupFailure("CONTROL_API_STS_ENDPOINT must be http(s)://HOST[:PORT] with no path or query, got '"
                    + endpoint + "'");
        }
        this.url = URI.create(scheme + "://" + hostHeader(parsed) + "/");
    }

    /** {@code https://sts.us-east-1.amazonaws.com/}: where logins go, and the only URL a login may name. */
    public URI url() {
        return url;
    }

    public String region() {
        return region;
    }

    /** The Host header a request to the endpoint carries, so the one a caller must have signed. */
    public String hostHeader() {
        return hostHeader(url);
    }

    static String hostHeader(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (port == 443 && "https".equalsIgnoreCase(uri.getScheme()))
                || (port == 80 && "http".equalsIgnoreCase(uri.getScheme()));
        return defaultPort ? host : host + ":" + port;
    }
}
