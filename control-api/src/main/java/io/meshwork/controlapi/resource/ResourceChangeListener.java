package io.meshwork.controlapi.resource;

/**
 * Told after a write to a resource has committed. The configuration of proxies is derived
 * from resources, so whatever compiles it listens here.
 */
@FunctionalInterface
public interface ResourceChangeListener {
    void changed(ResourceKey key);
}
