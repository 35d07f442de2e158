package io.meshwork.controlapi.distribution;

import io.meshwork.controlapi.store.ProxyStore;
import io.meshwork.controlapi.store.Transaction;
import io.meshwork.proxyapi.Endpoint;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registered proxies of virtual nodes as endpoints: a proxy at an address serves its node's listener ports there. */
@Singleton
final class ProxyEndpoints implements EndpointSource {
    private final ProxyStore proxies;

    ProxyEndpoints(ProxyStore proxies) {
        this.proxies = proxies;
    }

    @Override
    public Map<String, List<Endpoint>> endpoints(Transaction tx, String mesh) {
        Map<String, List<Endpoint>> out = new LinkedHashMap<>();
        for (ProxyStore.Row row : proxies.endpointsInMesh(tx, mesh)) {
            out.computeIfAbsent(row.resourceName(), k -> new ArrayList<>()).add(new Endpoint(row.address(), null, "proxy"));
        }
        return out;
    }
}
