package io.meshwork.controlapi.store;

import io.meshwork.controlapi.support.ControlApiServer;
import io.meshwork.controlapi.support.NodeSpecs;
import io.meshwork.controlapi.support.Postgres;
import io.meshwork.controlapi.support.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.AppMeshException;
import software.amazon.awssdk.services.appmesh.model.NotFoundException;
import software.amazon.awssdk.services.appmesh.model.ResourceInUseException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/** Concurrent writers never lose an update, never orphan a child, and replicas share one truth. */
class ConcurrencyTest {
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {Stores.H2, Stores.POSTGRES})
    void concurrentUpdatesOfOneResourceAreAllApplied(String store) throws Exception {
        try (ControlApiServer server = ControlApiServer.start(Stores.settings(store, Map.of()));
             AppMeshClient client = server.client()) {
            client.createMesh(r -> r.meshName("race"));
            client.createVirtualNode(r -> r.meshName("race").virtualNodeName("hot").spec(s -> { }));
            int writers = 16;
            int each = 10;
            Set<Long> versions = ConcurrentHashMap.newKeySet();
            runConcurrently(writers, w -> {
                for (int i = 0; i < each; i++) {
                    String host = "w" + w + "-" + i + ".local";
                    versions.add(client.updateVirtualNode(r -> r.meshName("race").virtualNodeName("hot")
                            .spec(s -> NodeSpecs.dns(s, host))).virtualNode().metadata().version());
                }
                return null;
            });
            assertEquals(writers * each, versions.size(), "every update got a version of its own");
            assertEquals(1L + writers * each, client.describeVirtualNode(r -> r.meshName("race").virtualNodeName("hot"))
                    .virtualNode().metadata().version());
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {Stores.H2, Stores.POSTGRES})
    void deletingAMeshWhileChildrenAreCreatedNeverLeavesOrphans(String store) throws Exception {
        try (ControlApiServer server = ControlApiServer.start(Stores.settings(store, Map.of()));
             AppMeshClient client = server.client()) {
            for (int round = 0; round < 10; round++) {
                String mesh = "doomed-" + round;
                client.createMesh(r -> r.meshName(mesh));
                List<Callable<String>> racers = new ArrayList<>();
                racers.add(() -> outcome(() -> client.deleteMesh(r -> r.meshName(mesh))));
                for (int i = 0; i < 4; i++) {
                    String node = "n" + i;
                    racers.add(() -> outcome(() -> client.createVirtualNode(r -> r.meshName(mesh).virtualNodeName(node).spec(s -> { }))));
                }
                List<String> outcomes = invokeAll(racers);
                boolean meshGone = outcomes.get(0).equals("ok");
                long nodesCreated = outcomes.subList(1, outcomes.size()).stream().filter("ok"::equals).count();
                if (meshGone) {
                    assertEquals(0, nodesCreated, "a node was created in a mesh that was deleted: " + outcomes);
                    assertThrows(NotFoundException.class, () -> client.listVirtualNodes(r -> r.meshName(mesh)));
                } else {
                    assertEquals("ResourceInUseException", outcomes.get(0));
                    assertEquals(nodesCreated, client.listVirtualNodes(r -> r.meshName(mesh)).virtualNodes().size());
                }
            }
        }
    }

    @Test
    void twoReplicasOnOnePostgresSeeEachOthersWrites() throws Exception {
        Map<String, Object> db = new HashMap<>(Postgres.newDatabase());
        db.put("control-api.encryption-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        try (ControlApiServer a = ControlApiServer.start(db); ControlApiServer b = ControlApiServer.start(db);
             AppMeshClient clientA = a.client(); AppMeshClient clientB = b.client()) {
            clientA.createMesh(r -> r.meshName("shared"));
            assertEquals("shared", clientB.describeMesh(r -> r.meshName("shared")).mesh().meshName());
            clientB.createVirtualNode(r -> r.meshName("shared").virtualNodeName("from-b").spec(s -> { }));
            assertEquals(2L, clientA.updateVirtualNode(r -> r.meshName("shared").virtualNodeName("from-b")
                    .spec(s -> NodeSpecs.dns(s, "x.local"))).virtualNode().metadata().version());
            assertThrows(ResourceInUseException.class, () -> clientB.deleteMesh(r -> r.meshName("shared")));
            // A race between the replicas on the same mesh is serialized through the shared store.
            runConcurrently(2, i -> {
                AppMeshClient c = i == 0 ? clientA : clientB;
                for (int n = 0; n < 20; n++) {
                    c.updateVirtualNode(r -> r.meshName("shared").virtualNodeName("from-b").spec(s -> { }));
                }
                return null;
            });
            assertEquals(42L, clientB.describeVirtualNode(r -> r.meshName("shared").virtualNodeName("from-b"))
                    .virtualNode().metadata().version());
        }
    }

    private interface Work {
        Object run(int worker) throws Exception;
    }

    private static void runConcurrently(int workers, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.run(worker);
                }));
            }
            start.countDown();
            for (Future<Object> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> invokeAll(List<Callable<String>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<String> out = new ArrayList<>();
            for (Future<String> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String outcome(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (AppMeshException e) {
            return e.awsErrorDetails().errorCode();
        }
    }
}
