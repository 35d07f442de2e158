package io.meshwork.bench.controlplane;

import io.meshwork.bench.controlapi.AppMeshRequests;
import io.meshwork.bench.controlapi.BenchTarget;
import org.HdrHistogram.Histogram;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane at scale: a mesh of {@code --nodes} virtual nodes (each with its own
 * service, router and route, and two backends), one simulated proxy per node long-polling its
 * snapshot through the real data-plane protocol (SigV4-signed, as the Meshwork proxy does).
 * Measures the time from an API write returning to every affected proxy holding the new
 * version, for writes that affect every proxy (the mesh's egress filter) and writes that affect
 * two (one route), and the time to the first snapshot after a start (load plus compile of the
 * whole mesh).
 *
 * <p>Usage: {@code bench/control-plane.sh [--nodes 1000] [--writes 20]}
 */
public final class ControlPlaneScaleBench {
    private static final String MESH = "scale";

    private ControlPlaneScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = 1000;
        int writes = 20;
        Path jar = Path.of("control-api/target/control-api-0.1.0-SNAPSHOT.jar");
        String out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
                case "--writes" -> writes = Integer.parseInt(args[i + 1]);
                case "--jar" -> jar = Path.of(args[i + 1]);
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Path data = Files.createTempDirectory("meshwork-scale-");
        StringBuilder report = new StringBuilder();
        long firstMillis;
        try (BenchTarget api = BenchTarget.controlApi("control-api (H2)", jar, data, Map.of())) {
            AppMeshRequests requests = new AppMeshRequests(api.endpoint, BenchTarget.KEY_ID, BenchTarget.SECRET);
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4, daemon())).build();
            long built = buildMesh(http, requests, nodes);
            System.err.printf("mesh of %d nodes (%d resources) created in %d ms%n", nodes, nodes * 4 + 1, built);

            Proxies proxies = new Proxies(http, requests, nodes);
            proxies.start();
            proxies.awaitAll(Duration.ofSeconds(60));
            System.err.printf("%d proxies hold their snapshots%n", nodes);

            Histogram all = new Histogram(60_000, 3);
            Histogram slowestPerWrite = new Histogram(60_000, 3);
            for (int w = 0; w < writes; w++) {
                String type = w % 2 == 0 ? "ALLOW_ALL" : "DROP_ALL";
                long writtenAt = write(http, requests.signed("PUT", "/v20190125/meshes/" + MESH,
                        "{\"spec\":{\"egressFilter\":{\"type\":\"" + type + "\"}}}"));
                List<Long> lags = proxies.awaitChange(writtenAt, allNodes(nodes), Duration.ofSeconds(30));
                lags.forEach(all::recordValue);
                slowestPerWrite.recordValue(lags.stream().mapToLong(Long::longValue).max().orElse(0));
                Thread.sleep(200);
            }
            Histogram routeLags = new Histogram(60_000, 3);
            for (int w = 0; w < writes * 5; w++) {
                int target = (w * 37) % nodes;
                int port = 8080 + (w % 2);
                long writtenAt = write(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualRouter/router-" + target
                        + "/routes/r", "{\"spec\":{\"httpRoute\":{\"match\":{\"prefix\":\"/" + w + "\"},\"action\":"
                        + "{\"weightedTargets\":[{\"virtualNode\":\"node-" + target + "\",\"weight\":1}]}}}}"));
                proxies.awaitChange(writtenAt, List.of(Math.floorMod(target - 1, nodes), Math.floorMod(target - 2, nodes)),
                        Duration.ofSeconds(30)).forEach(routeLags::recordValue);
            }
            proxies.stop();
            api.close();
            // A restart: the first snapshot request loads the whole mesh from the store and compiles it.
            try (BenchTarget restarted = BenchTarget.controlApi("control-api (H2)", jar, data, Map.of())) {
                AppMeshRequests again = new AppMeshRequests(restarted.endpoint, BenchTarget.KEY_ID, BenchTarget.SECRET);
                long firstStart = System.nanoTime();
                HttpResponse<String> first = http.send(again.signed("GET", configPath(0, ""), null), HttpResponse.BodyHandlers.ofString());
                firstMillis = (System.nanoTime() - firstStart) / 1_000_000;
                check(first, 200);
            }

            report.append(String.format(Locale.ROOT, "Control plane at scale, %s, %d cores: mesh of %,d virtual nodes (%,d resources),"
                            + " %,d simulated proxies long-polling through the data-plane protocol; control API on H2.%n%n",
                    LocalDate.now(), Runtime.getRuntime().availableProcessors(), nodes, nodes * 4 + 1, nodes));
            report.append("| what | p50 | p99 | max | samples |\n|---|---:|---:|---:|---:|\n");
            row(report, "write affecting every proxy (mesh egress filter) → each proxy has the new version", all);
            row(report, "… → the last of the " + nodes + " proxies has it", slowestPerWrite);
            row(report, "write affecting 2 proxies (one route) → each has it", routeLags);
            report.append(String.format(Locale.ROOT, "%nFirst snapshot after a restart of the control API (loads %,d resources and compiles the mesh): %d ms.%n",
                    nodes * 4 + 1, firstMillis));
        }
        System.out.println(report);
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
        }
    }

    private static void row(StringBuilder sb, String what, Histogram h) {
        sb.append(String.format(Locale.ROOT, "| %s | %d ms | %d ms | %d ms | %,d |%n", what, h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getMaxValue(), h.getTotalCount()));
    }

    private static List<Integer> allNodes(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    static String configPath(int node, String version) {
        return "/meshwork/v1/proxies/sim-" + node + "/config?resourceArn=mesh%2F" + MESH + "%2FvirtualNode%2Fnode-" + node
                + "&version=" + version + "&waitSeconds=30";
    }

    private static long buildMesh(HttpClient http, AppMeshRequests requests, int nodes) throws Exception {
        long start = System.nanoTime();
        write(http, requests.createMesh(MESH));
        Semaphore inFlight = new Semaphore(16);
        List<java.util.concurrent.CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            int n = i;
            inFlight.acquire();
            all.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    String backends = "[{\"virtualService\":{\"virtualServiceName\":\"svc-" + ((n + 1) % nodes) + "\"}},"
                            + "{\"virtualService\":{\"virtualServiceName\":\"svc-" + ((n + 2) % nodes) + "\"}}]";
                    write(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualNodes", "{\"virtualNodeName\":\"node-" + n
                            + "\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}],"
                            + "\"serviceDiscovery\":{\"dns\":{\"hostname\":\"node-" + n + ".scale.local\"}},\"backends\":" + backends + "}}"));
                    write(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualRouters", "{\"virtualRouterName\":\"router-"
                            + n + "\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}]}}"));
                    write(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualRouter/router-" + n + "/routes",
                            "{\"routeName\":\"r\",\"spec\":{\"httpRoute\":{\"match\":{\"prefix\":\"/\"},\"action\":{\"weightedTargets\":"
                                    + "[{\"virtualNode\":\"node-" + n + "\",\"weight\":1}]}}}}"));
                    write(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualServices", "{\"virtualServiceName\":\"svc-"
                            + n + "\",\"spec\":{\"provider\":{\"virtualRouter\":{\"virtualRouterName\":\"router-" + n + "\"}}}}"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    inFlight.release();
                }
            }));
        }
        for (var f : all) {
            f.get();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Sends a write and returns when it was acknowledged (System.nanoTime()). */
    private static long write(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        check(response, 200);
        return System.nanoTime();
    }

    private static void check(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "bench");
            t.setDaemon(true);
            return t;
        };
    }

    /** The simulated proxies: each long-polls its snapshot and notes when each new version arrived. */
    private static final class Proxies {
        private final HttpClient http;
        private final AppMeshRequests requests;
        private final int count;
        private final String[] version;
        private final long[] receivedAt;
        private final AtomicLong changes = new AtomicLong();
        private final Map<Integer, CountDownLatch> waiting = new ConcurrentHashMap<>();
        private volatile boolean stopped;

        Proxies(HttpClient http, AppMeshRequests requests, int count) {
            this.http = http;
            this.requests = requests;
            this.count = count;
            this.version = new String[count];
            this.receivedAt = new long[count];
        }

        void start() {
            for (int i = 0; i < count; i++) {
                poll(i);
            }
        }

        void stop() {
            stopped = true;
        }

        private void poll(int node) {
            if (stopped) {
                return;
            }
            String known = version[node] == null ? "" : version[node];
            http.sendAsync(requests.signed("GET", configPath(node, known), null), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        if (error == null && response.statusCode() == 200) {
                            long now = System.nanoTime();
                            synchronized (this) {
                                version[node] = response.headers().firstValue("x-meshwork-config-version").orElse("");
                                receivedAt[node] = now;
                            }
                            changes.incrementAndGet();
                        } else if (error != null || response.statusCode() != 304) {
                            try {
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        poll(node);
                    });
        }

        void awaitAll(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                boolean all = true;
                synchronized (this) {
                    for (String v : version) {
                        all &= v != null;
                    }
                }
                if (all) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("not every proxy got a snapshot");
        }

        /** Milliseconds from {@code writtenAt} until each of {@code nodes} received a version newer than before. */
        List<Long> awaitChange(long writtenAt, List<Integer> nodes, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                List<Long> lags = new ArrayList<>();
                synchronized (this) {
                    for (int n : nodes) {
                        if (receivedAt[n] - writtenAt > -5_000_000L && receivedAt[n] >= writtenAt - 5_000_000L) {
                            lags.add(Math.max(0, (receivedAt[n] - writtenAt) / 1_000_000));
                        }
                    }
                }
                if (lags.size() == nodes.size()) {
                    return lags;
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("the change did not reach every affected proxy within " + timeout);
        }
    }
}
