package io.meshwork.eks.reconcile;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.meshwork.eks.MeshworkController;
import io.meshwork.eks.resources.AppMeshKind;
import io.meshwork.eks.resources.MeshObject;
import io.meshwork.eks.support.MockCluster;
import io.meshwork.eks.support.RunningController;
import io.meshwork.lambdahooks.support.LocalControlApi;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.meshwork.eks.support.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Two replicas (a Deployment with replicas: 2, or a rollout's old and new pod): both serve webhooks
 * with the same certificate, one reconciles, the other takes over when it stops.
 */
class LeaderElectionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String meshArn(MockCluster cluster, String name) {
        var mesh = cluster.get(AppMeshKind.MESH, null, name);
        return mesh == null ? null : MeshObject.of(mesh).status().path("meshARN").asText(null);
    }

    @Test
    void oneReplicaReconcilesAndTheOtherTakesOverWhenItStops() throws Exception {
        try (LocalControlApi api = new LocalControlApi(); MockCluster cluster = new MockCluster()) {
            MeshworkController a = RunningController.start(cluster, api, null, Map.of("HOSTNAME", "replica-a"));
            MeshworkController b = RunningController.start(cluster, api, null, Map.of("HOSTNAME", "replica-b"));
            try {
                // Both serve the one certificate kept in the Secret, so neither invalidates the other's caBundle.
                assertEquals(a.certificate().serving(), b.certificate().serving());
                assertEquals(1, cluster.client().secrets().inNamespace("meshwork-system").list().getItems().size());
                MeshworkController leader = await("a leader", WAIT, () -> a.leading() ^ b.leading() ? (a.leading() ? a : b) : null);
                MeshworkController standby = leader == a ? b : a;
                Lease lease = cluster.client().leases().inNamespace("meshwork-system").withName("meshwork-controller-leader").get();
                assertEquals(leader == a ? "replica-a" : "replica-b", lease.getSpec().getHolderIdentity().replaceAll("_.*", ""));

                cluster.create("""
                        apiVersion: appmesh.k8s.aws/v1beta2
                        kind: Mesh
                        metadata: {name: first}
                        spec: {}
                        """);
                await("first made", WAIT, () -> meshArn(cluster, "first"));

                leader.close();
                await("the standby leads", WAIT, standby::leading);
                assertNotEquals(lease.getSpec().getHolderIdentity(), cluster.client().leases().inNamespace("meshwork-system")
                        .withName("meshwork-controller-leader").get().getSpec().getHolderIdentity());
                cluster.create("""
                        apiVersion: appmesh.k8s.aws/v1beta2
                        kind: Mesh
                        metadata: {name: second}
                        spec: {}
                        """);
                await("second made by the new leader", WAIT, () -> meshArn(cluster, "second"));
                assertEquals(List.of("first", "second"), api.appMesh().listMeshes().meshes().stream().map(m -> m.meshName()).sorted().toList());
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
