package io.meshwork.eks.support;

import io.meshwork.eks.ControllerSettings;
import io.meshwork.eks.MeshworkController;
import io.meshwork.lambdahooks.support.LocalControlApi;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The controller as {@code bin/meshwork-controller} runs it, against a mock cluster and a real control API. */
public final class RunningController {
    private RunningController() {
    }

    public static ControllerSettings settings(LocalControlApi api, Map<String, String> more) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MESHWORK_ENDPOINT", api.endpoint().toString());
        env.put("MESHWORK_WEBHOOK_ADDRESS", "127.0.0.1");
        env.put("MESHWORK_WEBHOOK_PORT", "0");
        env.put("MESHWORK_WEBHOOK_CERT_DIR", Files.createTempDirectory("mw-webhook-").toString());
        env.put("MESHWORK_RESYNC_PERIOD", "2s");
        env.put("MESHWORK_PROXY_IMAGE", "registry.example/meshwork/proxy:test");
        env.put("AWS_REGION", "us-east-1");
        env.putAll(more);
        return ControllerSettings.from(env);
    }

    public static MeshworkController start(MockCluster cluster, LocalControlApi api, ServiceDiscoveryClient cloudMap,
                                           Map<String, String> env) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        return MeshworkController.start(cluster.client(), settings(api, env),
                new SignedControlApiClient(api.endpoint(), "us-east-1", api.root(), http), cloudMap);
    }
}
