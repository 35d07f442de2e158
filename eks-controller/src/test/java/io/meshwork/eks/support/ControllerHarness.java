package io.meshwork.eks.support;

import io.meshwork.eks.MeshworkController;
import io.meshwork.lambdahooks.support.LocalControlApi;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.util.Map;

/** A real control API, a mock cluster and the controller between them; closed in reverse order. */
public final class ControllerHarness implements AutoCloseable {
    public final LocalControlApi api;
    public final MockCluster cluster;
    private MeshworkController controller;

    public ControllerHarness() throws Exception {
        api = new LocalControlApi();
        cluster = new MockCluster();
    }

    /** Starts the controller once the cluster holds what it should find at start. */
    public MeshworkController start(ServiceDiscoveryClient cloudMap, Map<String, String> env) throws Exception {
        controller = RunningController.start(cluster, api, cloudMap, env);
        return controller;
    }

    @Override
    public void close() {
        if (controller != null) {
            controller.close();
        }
        cluster.close();
        api.close();
    }
}
