package io.meshwork.cloudmap.standalone;

import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.discovery.CloudMapDiscovery;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import io.meshwork.cloudmap.sync.CloudMapSyncLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * bin/cloudmap-sync: Cloud Map sync as its own process, for teams that keep AWS credentials away
 * from the control plane. It reads Cloud Map with the default AWS credential chain and talks to
 * the control API with a Meshwork key; run as many as you like, one holds the lease and works.
 *
 * <pre>
 * CLOUDMAP_SYNC_CONTROL_API_URL      http://127.0.0.1:8080
 * CLOUDMAP_SYNC_ACCESS_KEY_ID        Meshwork key allowed meshwork:SyncCloudMap (required)
 * CLOUDMAP_SYNC_SECRET_ACCESS_KEY    (required)
 * CLOUDMAP_SYNC_CLOUDMAP_ENDPOINT    Cloud Map endpoint override (an emulator), default AWS
 * CLOUDMAP_SYNC_POLL_INTERVAL        1s
 * CLOUDMAP_SYNC_HEALTH_REFRESH       10s
 * AWS_REGION / AWS_DEFAULT_REGION    us-east-1 (Cloud Map's region, and the control API's signing region)
 * </pre>
 */
public final class CloudMapSyncMain {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapSyncMain.class);

    private CloudMapSyncMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String keyId = env.get("CLOUDMAP_SYNC_ACCESS_KEY_ID");
        String secret = env.get("CLOUDMAP_SYNC_SECRET_ACCESS_KEY");
        if (keyId == null || secret == null) {
            System.err.println("cloudmap-sync: CLOUDMAP_SYNC_ACCESS_KEY_ID and CLOUDMAP_SYNC_SECRET_ACCESS_KEY are required"
                    + " (a Meshwork key allowed meshwork:SyncCloudMap)");
            System.exit(2);
        }
        Duration poll;
        Duration healthRefresh;
        try {
            poll = duration(env.getOrDefault("CLOUDMAP_SYNC_POLL_INTERVAL", "1s"));
            healthRefresh = duration(env.getOrDefault("CLOUDMAP_SYNC_HEALTH_REFRESH", "10s"));
            if (poll.toMillis() < 100) {
                throw new IllegalArgumentException("CLOUDMAP_SYNC_POLL_INTERVAL must be at least 100ms, got " + poll.toMillis() + "ms");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cloudmap-sync: " + e.getMessage());
            System.exit(2);
            return;
        }
        String region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        String endpoint = env.get("CLOUDMAP_SYNC_CLOUDMAP_ENDPOINT");
        URI controlApi = URI.create(env.getOrDefault("CLOUDMAP_SYNC_CONTROL_API_URL", "http://127.0.0.1:8080"));
        String holder = ("cloudmap-sync-" + InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8))
                .replaceAll("[^A-Za-z0-9._:-]", "_");
        Duration lease = poll.multipliedBy(3).compareTo(Duration.ofSeconds(5)) > 0 ? poll.multipliedBy(3) : Duration.ofSeconds(5);

        ServiceDiscoveryClient client = CloudMapClients.create(region, endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint), null);
        CloudMapSyncLoop loop = new CloudMapSyncLoop(new RemoteSyncPlane(controlApi, keyId, secret, region, holder, lease),
                new CloudMapDiscovery(client, healthRefresh, System::nanoTime), new CloudMapRegistrar(client));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cloudmap-sync"));
        timer.scheduleWithFixedDelay(() -> {
            try {
                loop.pollOnce();
            } catch (RuntimeException e) {
                LOG.warn("Cloud Map sync failed this round: {}", e.getMessage());
            }
        }, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("cloudmap-sync {} started: control API {}, Cloud Map {} in {}, poll every {} ms", holder, controlApi,
                endpoint == null ? "AWS" : endpoint, region, poll.toMillis());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            timer.shutdown();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
                loop.release();
            } catch (RuntimeException | InterruptedException e) {
                LOG.info("could not give the lease up ({}); it expires by itself", e.getMessage());
            }
            client.close();
            stopped.countDown();
        }, "cloudmap-sync-shutdown"));
        stopped.await();
    }

    /** "500ms", "1s", "2m". */
    public static Duration duration(String text) {
        String s = text.trim();
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("a duration like 500ms, 1s or 2m was expected, got '" + text + "'");
    }
}
