package io.meshwork.controlapi.cloudmap;

import io.meshwork.cloudmap.client.CloudMapClients;
import io.meshwork.cloudmap.discovery.CloudMapDiscovery;
import io.meshwork.cloudmap.registration.CloudMapRegistrar;
import io.meshwork.cloudmap.sync.CloudMapSyncLoop;
import io.meshwork.cloudmap.sync.SyncPlane;
import io.meshwork.cloudmap.sync.SyncResult;
import io.meshwork.cloudmap.sync.SyncWork;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Cloud Map sync inside control-api (CONTROL_API_CLOUDMAP_ENABLED=true): every poll interval
 * the replica holding the {@code cloudmap-sync} lease reads Cloud Map and stores what changed;
 * every replica serves it. The other replicas only try the lease, so replicas do not multiply
 * the Cloud Map calls.
 */
@Singleton
@Requires(property = "control-api.cloudmap.enabled", value = "true")
public final class CloudMapSync {
    private static final Logger LOG = LoggerFactory.getLogger(CloudMapSync.class);

    private final CloudMapSettings settings;
    private final ServiceDiscoveryClient client;
    private final CloudMapSyncLoop loop;

    CloudMapSync(CloudMapSettings settings, ControlApiSettings api, CloudMapState state) {
        this.settings = settings;
        URI endpoint = settings.endpoint() == null || settings.endpoint().isBlank() ? null : URI.create(settings.endpoint());
        this.client = CloudMapClients.create(api.region(), endpoint, null);
        String holder = "control-api-" + UUID.randomUUID();
        SyncPlane local = new SyncPlane() {
            @Override
            public SyncWork work() {
                return state.work(holder, settings.leaseDuration());
            }

            @Override
            public void apply(SyncResult result) {
                state.apply(holder, result);
            }

            @Override
            public void release() {
                state.release(holder);
            }
        };
        this.loop = new CloudMapSyncLoop(local, new CloudMapDiscovery(client, settings.healthRefresh(), System::nanoTime),
                new CloudMapRegistrar(client));
        LOG.info("Cloud Map sync enabled: region {}, endpoint {}, poll every {} ms", api.region(),
                endpoint == null ? "AWS" : endpoint, settings.pollInterval().toMillis());
    }

    @Scheduled(fixedDelay = "${control-api.cloudmap.poll-interval:1s}", initialDelay = "500ms")
    void poll() {
        try {
            loop.pollOnce();
        } catch (RuntimeException e) {
            LOG.warn("Cloud Map sync failed this round: {}", e.toString());
        }
    }

    /** For operators: who polls, when it last did, what could not be read, how many calls it made. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("leader", loop.leader());
        out.put("lastPollAt", loop.lastPollMillis() / 1000.0);
        out.put("pollIntervalMillis", settings.pollInterval().toMillis());
        out.put("cloudMapCalls", loop.calls());
        out.put("discoveryCalls", loop.discoveryCalls());
        out.put("failingServices", loop.failingServices());
        return out;
    }

    @PreDestroy
    void close() {
        try {
            loop.release();
        } catch (RuntimeException e) {
            LOG.debug("could not release the Cloud Map lease: {}", e.toString());
        }
        client.close();
    }
}
