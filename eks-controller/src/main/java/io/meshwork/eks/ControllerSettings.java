package io.meshwork.eks;

import io.meshwork.cloudmap.standalone.CloudMapSyncMain;
import io.meshwork.eks.webhook.InjectorSettings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code bin/meshwork-controller}'s environment (DESIGN.md, "EKS"). */
public record ControllerSettings(URI controlApi, String region, String webhookAddress, int webhookPort, Path certDir, String certSecret,
                                 String webhookService, String podNamespace, List<String> webhookConfigurations, Duration resync,
                                 boolean cloudMap, URI cloudMapEndpoint, boolean leaderElection, String identity,
                                 InjectorSettings injector) {

    public static ControllerSettings from(Map<String, String> env) {
        String endpoint = env.get("MESHWORK_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("MESHWORK_ENDPOINT is not set: the control API's URL, e.g. https://meshwork.internal");
        }
        String cloudMapEndpoint = env.get("MESHWORK_CLOUDMAP_ENDPOINT");
        return new ControllerSettings(
                URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/"),
                env.getOrDefault("MESHWORK_REGION", env.getOrDefault("AWS_REGION", "us-east-1")),
                env.getOrDefault("MESHWORK_WEBHOOK_ADDRESS", "0.0.0.0"),
                Integer.parseInt(env.getOrDefault("MESHWORK_WEBHOOK_PORT", "9443")),
                Path.of(env.getOrDefault("MESHWORK_WEBHOOK_CERT_DIR", "/tmp/k8s-webhook-server/serving-certs")),
                env.getOrDefault("MESHWORK_WEBHOOK_CERT_SECRET", "meshwork-webhook-generated-cert"),
                env.getOrDefault("MESHWORK_WEBHOOK_SERVICE", "meshwork-webhook-service"),
                env.getOrDefault("POD_NAMESPACE", "meshwork-system"),
                Arrays.stream(env.getOrDefault("MESHWORK_WEBHOOK_CONFIGURATIONS", "meshwork-mutating-webhook,meshwork-validating-webhook")
                        .split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                CloudMapSyncMain.duration(env.getOrDefault("MESHWORK_RESYNC_PERIOD", "60s")),
                !"false".equalsIgnoreCase(env.getOrDefault("MESHWORK_CLOUDMAP_ENABLED", "true")),
                cloudMapEndpoint == null || cloudMapEndpoint.isBlank() ? null : URI.create(cloudMapEndpoint),
                !"false".equalsIgnoreCase(env.getOrDefault("MESHWORK_LEADER_ELECTION", "true")),
                env.getOrDefault("HOSTNAME", "meshwork-controller") + "_" + java.util.UUID.randomUUID().toString().substring(0, 8),
                InjectorSettings.from(env));
    }

    /** The names the API server calls the webhook by (its Service's), for a certificate made here. */
    public List<String> webhookDnsNames() {
        String svc = webhookService + "." + podNamespace;
        return List.of(svc + ".svc", svc + ".svc.cluster.local", svc, webhookService, "localhost", "127.0.0.1");
    }
}
