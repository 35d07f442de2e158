package io.meshwork.controlapi.cloudmap;

import io.meshwork.controlapi.distribution.EndpointSource;
import io.meshwork.controlapi.store.CloudMapStore;
import io.meshwork.controlapi.store.Transaction;
import io.meshwork.proxyapi.Endpoint;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instances found in Cloud Map as endpoints of their nodes. Read from the store by every
 * replica, whichever one polls Cloud Map; with Cloud Map disabled the table is simply empty.
 */
@Singleton
final class CloudMapEndpoints implements EndpointSource {
    private final CloudMapStore store;

    CloudMapEndpoints(CloudMapStore store) {
        this.store = store;
    }

    @Override
    public Map<String, List<Endpoint>> endpoints(Transaction tx, String mesh) {
        Map<String, List<Endpoint>> out = new LinkedHashMap<>();
        store.endpointsInMesh(tx, mesh).forEach((node, rows) -> {
            List<Endpoint> eps = new ArrayList<>(rows.size());
            rows.forEach(r -> eps.add(new Endpoint(r.address(), r.port(), "cloudMap")));
            out.put(node, eps);
        });
        return out;
    }
}
