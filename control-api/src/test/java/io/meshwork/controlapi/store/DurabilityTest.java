package io.meshwork.controlapi.store;

import io.meshwork.controlapi.support.ControlApiProcess;
import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.Postgres;
import io.meshwork.controlapi.support.Stores;
import io.meshwork.controlapi.support.TestFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.VirtualNodeRef;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Writers hammer a control API process; it is killed with SIGKILL mid-stream; after a
 * restart every write it acknowledged is there.
 */
class DurabilityTest {
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {Stores.H2, Stores.POSTGRES})
    void everyAcknowledgedWriteSurvivesSigkill(String store) throws Exception {
        Path dataDir = Files.createTempDirectory("meshwork-durability-");
        Map<String, String> env = new HashMap<>();
        env.put("CONTROL_API_DATA_DIR", dataDir.toString());
        if (Stores.POSTGRES.equals(store)) {
            Postgres.newDatabase().forEach((k, v) -> env.put(k.replace("control-api.", "CONTROL_API_")
                    .replace('-', '_').toUpperCase(), v.toString()));
        }
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try {
            try (ControlApiProcess api = ControlApiProcess.start(env).awaitHealthy(Duration.ofSeconds(30))) {
                try (AppMeshClient client = ControlApiServer.clientFor(api.endpoint(), ControlApiServer.ROOT_KEY_ID,
                        ControlApiServer.ROOT_SECRET)) {
                    client.createMesh(r -> r.meshName("durable"));
                }
                AtomicBoolean stop = new AtomicBoolean();
                ExecutorService writers = Executors.newFixedThreadPool(8);
                for (int w = 0; w < 8; w++) {
                    int writer = w;
                    writers.submit(() -> {
                        try (AppMeshClient client = ControlApiServer.clientFor(api.endpoint(), ControlApiServer.ROOT_KEY_ID,
                                ControlApiServer.ROOT_SECRET)) {
                            for (int i = 0; !stop.get(); i++) {
                                String name = "w" + writer + "-" + i;
                                client.createVirtualNode(r -> r.meshName("durable").virtualNodeName(name).spec(s -> { }));
                                acknowledged.add(name);
                            }
                        } catch (RuntimeException expectedWhenKilled) {
                            // the connection dies with the process
                        }
                    });
                }
                while (acknowledged.size() < 300) {
                    // Let a few hundred writes be acknowledged, then pull the plug mid-stream.
                    Thread.sleep(5);
                }
                api.kill();
                stop.set(true);
                writers.shutdown();
                assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));
            }
            try (ControlApiProcess restarted = ControlApiProcess.start(env).awaitHealthy(Duration.ofSeconds(30));
                 AppMeshClient client = ControlApiServer.clientFor(restarted.endpoint(), ControlApiServer.ROOT_KEY_ID,
                         ControlApiServer.ROOT_SECRET)) {
                Set<String> stored = new java.util.HashSet<>();
                client.listVirtualNodesPaginator(r -> r.meshName("durable")).virtualNodes().stream()
                        .map(VirtualNodeRef::virtualNodeName).forEach(stored::add);
                Set<String> lost = acknowledged.stream().filter(n -> !stored.contains(n)).collect(Collectors.toSet());
                assertTrue(lost.isEmpty(), lost.size() + " acknowledged writes lost of " + acknowledged.size() + ": " + lost);
                assertTrue(acknowledged.size() >= 300);
            }
        } finally {
            TestFiles.deleteRecursively(dataDir);
        }
    }
}
