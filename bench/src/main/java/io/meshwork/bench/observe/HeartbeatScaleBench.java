package io.meshwork.bench.observe;

import io.meshwork.bench.controlapi.AppMeshRequests;
import io.meshwork.bench.controlapi.BenchTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mesh-wide view at scale: {@code --proxies} simulated proxies (1,000) on a mesh of
 * {@code --nodes} virtual nodes (100) heartbeat every {@code --interval} (5 s, App Mesh's
 * registration TTL/3) through the real data-plane protocol, SigV4-signed, each carrying a
 * traffic report that grows as a real proxy's would ({@code --edges} edges each). An operator
 * reads {@code GET /meshwork/v1/meshes/scale/overview} every 2 s meanwhile. Measures, against the
 * control API on H2 and on PostgreSQL: heartbeat latency, the control API's CPU time per
 * heartbeat (process CPU over the phase divided by heartbeats) with traffic reports and, for
 * comparison, without, and the overview's latency and size.
 *
 * <p>Usage: {@code bench/heartbeats.sh [--proxies 1000] [--nodes 100] [--seconds 60] [--targets h2,postgres]}
 */
public final class HeartbeatScaleBench {
    private static final String MESH = "scale";

    private HeartbeatScaleBench() {
    }

    /** What one phase measured. */
    record Phase(String name, Histogram heartbeats, Histogram overviews, long overviewBytes, double cpuMillisPerHeartbeat,
                 long errors, double heartbeatsPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("proxies", "1000", "nodes", "100", "seconds", "60", "interval", "5",
                "edges", "6", "targets", "h2,postgres", "jar", "control-api/target/control-api-0.1.0-SNAPSHOT.jar"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int proxies = Integer.parseInt(o.get("proxies"));
        int nodes = Integer.parseInt(o.get("nodes"));
        Path jar = Path.of(o.get("jar"));
        Path work = Files.createTempDirectory("meshwork-heartbeats-");
        Map<String, List<Phase>> results = new LinkedHashMap<>();
        if (o.get("targets").contains("h2")) {
            try (BenchTarget api = BenchTarget.controlApi("control-api (H2)", jar, Files.createDirectories(work.resolve("h2")), Map.of())) {
                results.put(api.name, run(api, o, proxies, nodes));
            }
        }
        if (o.get("targets").contains("postgres")) {
            try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on").start()) {
                Map<String, String> pg = Map.of("CONTROL_API_JDBC_URL", postgres.getJdbcUrl("postgres", "postgres"),
                        "CONTROL_API_JDBC_USER", "postgres", "CONTROL_API_JDBC_PASSWORD", "postgres");
                try (BenchTarget api = BenchTarget.controlApi("control-api (PostgreSQL)", jar, Files.createDirectories(work.resolve("pg")), pg)) {
                    results.put(api.name + ", PostgreSQL's own CPU not counted", run(api, o, proxies, nodes));
                }
            }
        }
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "Heartbeats with traffic reports at scale, %s, %d cores:"
                        + " %,d simulated proxies on %,d virtual nodes, one heartbeat each every %s s (%s edges per traffic report),"
                        + " the overview read every 2 s; %s s per phase.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                proxies, nodes, o.get("interval"), o.get("edges"), o.get("seconds")));
        report.append("| store | phase | heartbeats/s | heartbeat p50 | p99 | max | control API CPU per heartbeat | overview p50 | p99 | overview size | errors |\n");
        report.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        results.forEach((store, phases) -> phases.forEach(p -> report.append(String.format(Locale.ROOT,
                "| %s | %s | %.0f | %.1f ms | %.1f ms | %.1f ms | %.2f ms | %s | %s | %s | %d |%n", store, p.name(), p.heartbeatsPerSecond(),
                p.heartbeats().getValueAtPercentile(50) / 1000.0, p.heartbeats().getValueAtPercentile(99) / 1000.0,
                p.heartbeats().getMaxValue() / 1000.0, p.cpuMillisPerHeartbeat(),
                p.overviews().getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", p.overviews().getValueAtPercentile(50) / 1000.0),
                p.overviews().getTotalCount() == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", p.overviews().getValueAtPercentile(99) / 1000.0),
                p.overviewBytes() == 0 ? "-" : String.format(Locale.ROOT, "%,d kB", p.overviewBytes() / 1024), p.errors()))));
        System.out.println(report);
        if (o.containsKey("out")) {
            Files.writeString(Path.of(o.get("out")), report.toString());
        }
    }

    private static List<Phase> run(BenchTarget api, Map<String, String> o, int proxies, int nodes) throws Exception {
        AppMeshRequests requests = new AppMeshRequests(api.endpoint, BenchTarget.KEY_ID, BenchTarget.SECRET);
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
        send(http, requests.createMesh(MESH), 200);
        send(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualNodes", "{\"virtualNodeName\":\"backend\",\"spec\":"
                + "{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}],\"serviceDiscovery\":{\"dns\":"
                + "{\"hostname\":\"backend.bench.local\"}}}}"), 200);
        send(http, requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualServices", "{\"virtualServiceName\":"
                + "\"backend.bench.local\",\"spec\":{\"provider\":{\"virtualNode\":{\"virtualNodeName\":\"backend\"}}}}"), 200);
        for (int n = 0; n < nodes; n++) {
            send(http, requests.createNode(MESH, "n-" + n), 200);
        }
        int seconds = Integer.parseInt(o.get("seconds"));
        long interval = Long.parseLong(o.get("interval")) * 1000;
        int edges = Integer.parseInt(o.get("edges"));
        List<Phase> phases = new ArrayList<>();
        // Everyone registers first (joining changes endpoints; heartbeats after that do not).
        phase(api, http, requests, proxies, nodes, interval, edges, false, interval / 1000 + 2, "warm-up", false);
        phases.add(phase(api, http, requests, proxies, nodes, interval, edges, false, seconds, "heartbeats without traffic", true));
        phases.add(phase(api, http, requests, proxies, nodes, interval, edges, true, seconds, "heartbeats with traffic reports", true));
        return phases;
    }

    private static Phase phase(BenchTarget api, HttpClient http, AppMeshRequests requests, int proxies, int nodes, long interval,
                               int edges, boolean traffic, long seconds, String name, boolean readOverview) throws Exception {
        System.err.printf("%s: %s for %d s%n", api.name, name, seconds);
        Histogram beats = new Histogram(60_000_000, 3);
        Histogram overviews = new Histogram(60_000_000, 3);
        AtomicLong errors = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicLong overviewBytes = new AtomicLong();
        Semaphore inFlight = new Semaphore(64);
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        long started = System.currentTimeMillis();
        Duration cpuBefore = api.cpuTime();
        for (int p = 0; p < proxies; p++) {
            int id = p;
            clock.scheduleAtFixedRate(() -> {
                String body = report(id, nodes, traffic ? (System.currentTimeMillis() - started) / 100 + id : -1, edges, started);
                HttpRequest request = requests.signed("PUT", "/meshwork/v1/proxies/p-" + id, body);
                inFlight.acquireUninterruptibly();
                long t0 = System.nanoTime();
                http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                    inFlight.release();
                    sent.incrementAndGet();
                    if (e != null || r.statusCode() != 200) {
                        errors.incrementAndGet();
                    } else {
                        beats.recordValue(Math.min(60_000_000, (System.nanoTime() - t0) / 1000));
                    }
                });
            }, interval * id / proxies, interval, TimeUnit.MILLISECONDS);
        }
        long end = started + seconds * 1000;
        while (System.currentTimeMillis() < end) {
            if (readOverview) {
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = http.send(requests.signed("GET", "/meshwork/v1/meshes/" + MESH + "/overview", null),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    overviews.recordValue((System.nanoTime() - t0) / 1000);
                    overviewBytes.set(r.body().length);
                } else {
                    errors.incrementAndGet();
                }
            }
            Thread.sleep(2000);
        }
        clock.shutdownNow();
        clock.awaitTermination(5, TimeUnit.SECONDS);
        inFlight.acquireUninterruptibly(64);
        Duration cpu = api.cpuTime().minus(cpuBefore);
        double elapsed = (System.currentTimeMillis() - started) / 1000.0;
        // The overview reads are a small part of the CPU; they are included, which overstates heartbeats a little.
        return new Phase(name, beats, overviews, overviewBytes.get(), cpu.toNanos() / 1e6 / Math.max(1, sent.get()), errors.get(),
                sent.get() / elapsed);
    }

    /** A proxy's report: registration, and (rounds ≥ 0) traffic that has grown with {@code rounds}. */
    private static String report(int id, int nodes, long rounds, int edges, long started) {
        StringBuilder b = new StringBuilder("{\"resourceArn\":\"mesh/" + MESH + "/virtualNode/n-" + (id % nodes)
                + "\",\"address\":\"10." + (id / 65536) % 256 + "." + (id / 256) % 256 + "." + id % 256 + "\"");
        if (rounds >= 0) {
            b.append(",\"traffic\":{\"startedAtMillis\":").append(started).append(",\"edges\":[");
            for (int e = 0; e < edges; e++) {
                long n = rounds * (e + 1);
                if (e > 0) {
                    b.append(',');
                }
                boolean inbound = e == 0;
                b.append("{\"direction\":\"").append(inbound ? "inbound" : "outbound").append("\",\"destination\":\"")
                        .append(inbound ? "8080" : "backend.bench.local").append('"');
                if (!inbound) {
                    b.append(",\"route\":\"r-").append(e).append("/route\",\"target\":\"n-").append((id + e) % nodes).append('"');
                }
                b.append(",\"protocol\":\"http\",\"requests\":").append(n).append(",\"responsesByClass\":[0,").append(n - n / 100)
                        .append(",0,0,").append(n / 100).append("],\"latencyBuckets\":[0,0,").append(n / 2).append(',').append(n / 4)
                        .append(',').append(n / 4 - n / 100).append(",0,0,0,").append(n / 100).append(",0,0,0,0,0,0]")
                        .append(",\"latencySumMicros\":").append(n * 4000).append(",\"connections\":").append(e + 1)
                        .append(",\"bytesReceived\":").append(n * 200).append(",\"bytesSent\":").append(n * 800)
                        .append(",\"retries\":0,\"ejections\":0}");
            }
            b.append("]}");
        }
        return b.append('}').toString();
    }

    private static void send(HttpClient http, HttpRequest request, int expected) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
