package io.meshwork.proxy.settings;

import io.meshwork.proxy.upstream.LoadBalancing;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;

/**
 * The proxy's configuration, all from the environment (DESIGN.md, "Proxy"). Everything else
 * the proxy does comes from the snapshot the control plane sends.
 */
public record ProxySettings(ResourceRef resource, URI controlApi, String region, Mode mode, String localAddress, String appAddress,
                            int ingressPort, int egressPort, int adminPort, Path dataDir, String proxyId,
                            String endpointAddress, LoadBalancing loadBalancing, Map<String, String> cloudMapRegistration) {
    public enum Mode { SIDECAR, LOCAL }

    public static ProxySettings fromEnvironment(Map<String, String> env) {
        String arn = first(env, "APPMESH_RESOURCE_ARN", "APPMESH_VIRTUAL_NODE_NAME", "APPMESH_RESOURCE_NAME");
        ResourceRef parsed = ResourceRef.parse(arn);
        Mode mode = switch (env.getOrDefault("PROXY_MODE", "sidecar").toLowerCase()) {
            case "sidecar" -> Mode.SIDECAR;
            case "local" -> Mode.LOCAL;
            default -> throw new IllegalArgumentException("PROXY_MODE must be sidecar or local, got " + env.get("PROXY_MODE"));
        };
        String region = parsed.regionOrNull() != null ? parsed.regionOrNull()
                : env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", null));
        if (region == null) {
            // ECS and the EKS injector set AWS_REGION; an EC2 host's env file must. A wrong guess
            // signs for a region the control API refuses, so say which one is assumed.
            region = "us-east-1";
            if (mode == Mode.SIDECAR) {
                org.slf4j.LoggerFactory.getLogger(ProxySettings.class).warn("{} names no region and AWS_REGION is not set:"
                        + " assuming us-east-1 (set AWS_REGION to the control API's CONTROL_API_REGION)", arn);
            }
        }
        ResourceRef resource = parsed.inRegion(region);
        // Sidecar mode listens on both families where the host has IPv6: with APPMESH_ENABLE_IPV6
        // (the EKS injector's default) ip6tables sends the app's IPv6 connections here too.
        String localAddress = env.getOrDefault("PROXY_LOCAL_ADDRESS", mode == Mode.SIDECAR && hasIpv6() ? "::" : "0.0.0.0");
        String endpoint = env.get("PROXY_ENDPOINT_ADDRESS");
        if (endpoint == null && !resource.isGateway()) {
            endpoint = mode == Mode.LOCAL && !"0.0.0.0".equals(localAddress) && !"::".equals(localAddress) ? localAddress : firstSiteAddress();
        }
        String dataDir = env.getOrDefault("PROXY_DATA_DIR", Path.of(System.getProperty("user.home"), ".meshwork", "proxy").toString());
        String proxyId = env.getOrDefault("PROXY_ID", (resource.name() + "-" + localAddress + "-"
                + UUID.randomUUID().toString().substring(0, 8)).replaceAll("[^A-Za-z0-9._:-]", "_"));
        return new ProxySettings(resource, controlApi(env.getOrDefault("PROXY_CONTROL_API_URL", "http://127.0.0.1:8080")),
                region, mode, localAddress,
                env.getOrDefault("PROXY_APP_ADDRESS", "127.0.0.1"), // proxy-init's names for the same ports, so that one env file (EC2) moves both together.
                port(env, "PROXY_INGRESS_PORT", port(env, "APPMESH_ENVOY_INGRESS_PORT", 15000)),
                port(env, "PROXY_EGRESS_PORT", port(env, "APPMESH_ENVOY_EGRESS_PORT", 15001)),
                // App Mesh task definitions and the EKS controller move the admin port with ENVOY_ADMIN_ACCESS_PORT.
                port(env, "PROXY_ADMIN_PORT", port(env, "ENVOY_ADMIN_ACCESS_PORT", 9901)), Path.of(dataDir), proxyId,
                endpoint, LoadBalancing.of(env.get("PROXY_LB_POLICY")), cloudMapRegistration(env));
    }

    /**
     * PROXY_CLOUDMAP_REGISTER=true: the control plane registers this proxy as an instance of its
     * node's Cloud Map service (for workloads nothing else registers), with the attributes in
     * PROXY_CLOUDMAP_ATTRIBUTES ({@code key=value,key=value}). Null when not asked for.
     */
    private static Map<String, String> cloudMapRegistration(Map<String, String> env) {
        if (!Boolean.parseBoolean(env.getOrDefault("PROXY_CLOUDMAP_REGISTER", "false").trim())) {
            return null;
        }
        Map<String, String> attributes = new java.util.TreeMap<>();
        String list = env.getOrDefault("PROXY_CLOUDMAP_ATTRIBUTES", "").trim();
        if (!list.isEmpty()) {
            for (String pair : list.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("PROXY_CLOUDMAP_ATTRIBUTES must be key=value pairs separated by commas, got '"
                            + pair.trim() + "'");
                }
                attributes.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return Map.copyOf(attributes);
    }

    /** Where the last good snapshot is kept across restarts. */
    public Path snapshotFile() {
        String file = resource.mesh() + "_" + resource.kind() + "_" + resource.name() + "_" + localAddress + ".json";
        return dataDir.resolve(file.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    @Override
    public String toString() {
        return "ProxySettings[" + resource + ", controlApi=" + controlApi + ", mode=" + mode
                + ", localAddress=" + localAddress + ", appAddress=" + appAddress + ", ports=" + ingressPort + "/"
                + egressPort + "/" + adminPort + ", proxyId=" + proxyId + ", endpointAddress=" + endpointAddress
                + ", loadBalancing=" + loadBalancing + (cloudMapRegistration == null ? "" : ", cloudMapRegistration="
                + cloudMapRegistration) + "]";
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** The control API's URL, refused at start with the variable's name unless a proxy could call it. */
    static URI controlApi(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PROXY_CONTROL_API_URL must be an http:// or https:// URL, got '" + url + "': " + e.getMessage());
        }
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("PROXY_CONTROL_API_URL must be an http:// or https:// URL with a host, got '" + url + "'");
        }
        return uri;
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, got '" + value + "'");
        }
    }

    /** The host's first non-loopback IPv4 address: where callers reach a sidecar. */
    /** The kernel has IPv6 (not booted with ipv6.disable=1), so "::" can be bound, dual-stack. */
    private static boolean hasIpv6() {
        return Files.exists(Path.of("/proc/net/if_inet6"));
    }

    private static String firstSiteAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException ignored) {
            // no interface information: register nothing
        }
        return null;
    }
}
