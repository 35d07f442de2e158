package io.meshwork.eks.webhook;

import java.util.Map;

/**
 * What the injector puts in pods, from the controller's environment. The defaults are App Mesh's
 * controller's chart defaults; the images are Meshwork's (the proxy image carries
 * {@code proxy-init} too).
 */
public record InjectorSettings(String proxyImage, String proxyInitImage, String controlApiUrl, String region, int adminPort,
                               String logLevel, String ignoredIps, String cpuRequest, String memoryRequest, String cpuLimit,
                               String memoryLimit, boolean preview, boolean ipv6, String accountId, int preStopDelaySeconds) {

    public static InjectorSettings from(Map<String, String> env) {
        String region = env.getOrDefault("MESHWORK_REGION", env.getOrDefault("AWS_REGION", "us-east-1"));
        return new InjectorSettings(
                env.getOrDefault("MESHWORK_PROXY_IMAGE", "meshwork/proxy:0.1.0"),
                env.getOrDefault("MESHWORK_PROXY_INIT_IMAGE", env.getOrDefault("MESHWORK_PROXY_IMAGE", "meshwork/proxy:0.1.0")),
                env.getOrDefault("MESHWORK_PROXY_CONTROL_API_URL", env.getOrDefault("MESHWORK_ENDPOINT", "")),
                region,
                Integer.parseInt(env.getOrDefault("MESHWORK_PROXY_ADMIN_PORT", "9901")),
                env.getOrDefault("MESHWORK_PROXY_LOG_LEVEL", "info"),
                env.getOrDefault("MESHWORK_EGRESS_IGNORED_IPS", "169.254.169.254"),
                env.getOrDefault("MESHWORK_SIDECAR_CPU_REQUEST", "10m"),
                env.getOrDefault("MESHWORK_SIDECAR_MEMORY_REQUEST", "32Mi"),
                env.get("MESHWORK_SIDECAR_CPU_LIMIT"),
                env.get("MESHWORK_SIDECAR_MEMORY_LIMIT"),
                "true".equalsIgnoreCase(env.getOrDefault("MESHWORK_PREVIEW", "false")),
                !"false".equalsIgnoreCase(env.getOrDefault("MESHWORK_ENABLE_IPV6", "true")),
                env.getOrDefault("MESHWORK_ACCOUNT_ID", ""),
                Integer.parseInt(env.getOrDefault("MESHWORK_SIDECAR_PRESTOP_DELAY_SECONDS", "20")));
    }
}
