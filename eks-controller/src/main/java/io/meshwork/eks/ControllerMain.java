package io.meshwork.eks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/meshwork-controller}: the Kubernetes connection from the in-cluster service account or
 * {@code KUBECONFIG}; the control API signed with the AWS chain's identity (IRSA or Pod Identity
 * on EKS), logged in to the control API, or with a Meshwork key in {@code AWS_ACCESS_KEY_ID}.
 */
public final class ControllerMain {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerMain.class);

    private ControllerMain() {
    }

    public static void main(String[] args) throws Exception {
        ControllerSettings settings;
        try {
            settings = ControllerSettings.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("meshwork-controller: " + e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        LOG.info("meshwork-controller: Kubernetes API {}, control API {}; listing the appmesh.k8s.aws objects",
                client.getConfiguration().getMasterUrl(), settings.controlApi());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        SignedControlApiClient api = new SignedControlApiClient(settings.controlApi(), settings.region(),
                ControlApiCredentialsProvider.builder().controlApi(settings.controlApi()).build(), http);
        ServiceDiscoveryClient cloudMap = settings.cloudMap() ? CloudMapClients.create(settings.region(), settings.cloudMapEndpoint(), null) : null;
        MeshworkController controller;
        try {
            controller = MeshworkController.start(client, settings, api, cloudMap);
        } catch (Exception e) {
            // Kubernetes restarts the pod; the other threads (HTTP clients, the webhook) must not keep it alive meanwhile.
            LOG.error("meshwork-controller: cannot start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("meshwork-controller: stopping");
            controller.close();
            client.close();
            stopped.countDown();
        }, "meshwork-controller-shutdown"));
        stopped.await();
    }
}
