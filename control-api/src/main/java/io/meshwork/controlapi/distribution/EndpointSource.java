package io.meshwork.controlapi.distribution;

import io.meshwork.controlapi.store.Transaction;
import io.meshwork.proxyapi.Endpoint;

import java.util.List;
import java.util.Map;

/**
 * Where the control plane learns instances of virtual nodes, beyond the DNS names proxies
 * resolve themselves: proxies registering, Cloud Map. Each source gives, for one mesh, the
 * endpoints it knows per node; the compiler takes their union.
 */
public interface EndpointSource {
    Map<String, List<Endpoint>> endpoints(Transaction tx, String mesh);
}
