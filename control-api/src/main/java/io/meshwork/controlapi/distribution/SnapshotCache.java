package io.meshwork.controlapi.distribution;

import io.meshwork.controlapi.compiler.MeshCompiler;
import io.meshwork.controlapi.compiler.MeshResources;
import io.meshwork.controlapi.resource.ResourceKey;
import io.meshwork.controlapi.tracing.ControlApiTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.SnapshotJson;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The current snapshot of every proxy of the meshes that have proxies watching, recompiled
 * whenever a mesh changes. A proxy asks with the version it runs and is parked until its
 * snapshot's version differs (or its wait ends); a recompile that leaves a snapshot's content
 * unchanged wakes nobody and sends nothing.
 */
@Singleton
public final class SnapshotCache {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCache.class);
    private static final long COALESCE_MILLIS = 10;

    /** A compiled snapshot with its wire form, and when this replica first compiled its version. */
    public record Compiled(ProxySnapshot snapshot, byte[] json, long compiledAtMillis) {
        public String version() {
            return snapshot.version();
        }
    }

    private static final class MeshState {
        volatile Map<ResourceKey, Compiled> snapshots = Map.of();
        volatile boolean loaded;
        volatile boolean exists;
        volatile boolean recompileQueued;
        final Map<ResourceKey, List<CompletableFuture<Optional<Compiled>>>> watchers = new ConcurrentHashMap<>();
    }

    private final MeshLoader loader;
    private final ControlApiTracing tracing;
    private final Map<String, MeshState> meshes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService compiler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snapshot-compiler");
        t.setDaemon(true);
        return t;
    });

    SnapshotCache(MeshLoader loader, ControlApiTracing tracing) {
        this.loader = loader;
        this.tracing = tracing;
    }

    /** The current snapshot of a node or gateway, compiling its mesh first if needed; empty if it does not exist. */
    public Optional<Compiled> current(ResourceKey key) {
        MeshState state = meshes.computeIfAbsent(key.mesh(), m -> new MeshState());
        if (!state.loaded) {
            synchronized (state) {
                if (!state.loaded) {
                    recompile(key.mesh(), state);
                }
            }
        }
        return Optional.ofNullable(state.snapshots.get(key));
    }

    /**
     * Completes with the snapshot once its version differs from {@code knownVersion}, at once if
     * it already does; with empty when {@code wait} passes first or the resource disappears.
     */
    public CompletableFuture<Optional<Compiled>> next(ResourceKey key, String knownVersion, Duration wait) {
        Optional<Compiled> now = current(key);
        if (now.isEmpty() || !now.get().version().equals(knownVersion)) {
            return CompletableFuture.completedFuture(now);
        }
        MeshState state = meshes.get(key.mesh());
        CompletableFuture<Optional<Compiled>> future = new CompletableFuture<>();
        state.watchers.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(future);
        // A recompile may have finished between reading `now` and parking: look again.
        Compiled latest = state.snapshots.get(key);
        if (latest == null || !latest.version().equals(knownVersion)) {
            future.complete(Optional.ofNullable(latest));
        }
        CompletableFuture<Optional<Compiled>> timed = future.completeOnTimeout(Optional.empty(), wait.toMillis(), TimeUnit.MILLISECONDS);
        timed.whenComplete((r, e) -> {
            List<CompletableFuture<Optional<Compiled>>> list = state.watchers.get(key);
            if (list != null) {
                list.remove(future);
            }
        });
        return timed;
    }

    /** Marks a mesh changed: it is recompiled soon (bursts of changes coalesce into one compile). */
    public void meshChanged(String mesh) {
        MeshState state = meshes.get(mesh);
        if (state == null || !state.loaded || state.recompileQueued) {
            return;
        }
        state.recompileQueued = true;
        compiler.schedule(() -> {
            state.recompileQueued = false;
            synchronized (state) {
                recompile(mesh, state);
            }
        }, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The meshes whose snapshots are kept current. */
    public List<String> watchedMeshes() {
        return new ArrayList<>(meshes.keySet());
    }

    private void recompile(String mesh, MeshState state) {
        Span span = tracing.tracer().spanBuilder("compile mesh").setAttribute(ControlApiTracing.MESH, mesh).startSpan();
        try {
            long started = System.nanoTime();
            Optional<MeshResources> resources = loader.load(mesh);
            Map<ResourceKey, Compiled> fresh = new ConcurrentHashMap<>();
            resources.ifPresent(r -> MeshCompiler.compile(r).forEach((key, snapshot) -> {
                Compiled previous = state.snapshots.get(key);
                // Keep the previous object when nothing changed, so its bytes are reused as they are.
                fresh.put(key, previous != null && previous.version().equals(snapshot.version())
                        ? previous : new Compiled(snapshot, SnapshotJson.write(snapshot), System.currentTimeMillis()));
            }));
            Map<ResourceKey, Compiled> old = state.snapshots;
            state.snapshots = fresh;
            state.exists = resources.isPresent();
            state.loaded = true;
            int changed = 0;
            for (Map.Entry<ResourceKey, List<CompletableFuture<Optional<Compiled>>>> w : state.watchers.entrySet()) {
                Compiled now = fresh.get(w.getKey());
                Compiled before = old.get(w.getKey());
                if (now == null || before == null || !now.version().equals(before.version())) {
                    w.getValue().forEach(f -> f.complete(Optional.ofNullable(now)));
                    changed++;
                }
            }
            span.setAttribute(AttributeKey.longKey("meshwork.snapshots"), fresh.size());
            span.setAttribute(AttributeKey.longKey("meshwork.watched_changed"), changed);
            if (LOG.isDebugEnabled()) {
                LOG.debug("compiled mesh {}: {} snapshots in {} ms, {} watched changed", mesh, fresh.size(),
                        (System.nanoTime() - started) / 1_000_000, changed);
            }
        } catch (RuntimeException e) {
            // Keep serving the last good snapshots; the next change or poll tries again.
            LOG.warn("compiling mesh {} failed: {}", mesh, e.toString());
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.toString());
        } finally {
            span.end();
        }
    }

    @PreDestroy
    void close() {
        compiler.shutdownNow();
    }
}
