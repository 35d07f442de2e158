package io.meshwork.proxy.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/** Reads a proxy's admin endpoints. */
public final class ProxyProcessStats {
    private final String address;

    public ProxyProcessStats(String address) {
        this.address = address;
    }

    public InputStream prometheus() throws IOException {
        return URI.create("http://" + address + ":9901/stats/prometheus").toURL().openStream();
    }

    /** The proxy's /stats/prometheus, parsed. */
    public PrometheusText stats() throws IOException {
        return PrometheusText.parse(get("/stats/prometheus"));
    }

    public String get(String path) throws IOException {
        try (InputStream in = URI.create("http://" + address + ":9901" + path).toURL().openStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
