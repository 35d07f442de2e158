package io.meshwork.bench.controlapi;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The control-plane API benchmark: the same workload against the control API on H2, on
 * PostgreSQL, and against moto_server (a peer implementation of the App Mesh API), one after
 * the other in one run on one machine. Each gets a mesh of {@code --nodes} virtual nodes, then:
 * describe, list and update at full speed, and describe and create at a fixed 200 requests/s.
 *
 * <p>Usage: {@code bench/control-api.sh [--nodes 10000] [--seconds 15] [--targets h2,postgres,moto] [--out FILE]}
 */
public final class ControlApiBench {
    static final String KEY_ID = BenchTarget.KEY_ID;
    static final String SECRET = BenchTarget.SECRET;
    private static final String MESH = "bench";

    private ControlApiBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int nodes = Integer.parseInt(options.getOrDefault("nodes", "10000"));
        Duration phase = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "15")));
        Path jar = Path.of(options.getOrDefault("jar", "control-api/target/control-api-0.1.0-SNAPSHOT.jar"));
        Path work = Files.createTempDirectory("meshwork-bench-");
        List<String> targets = List.of(options.getOrDefault("targets", "h2,postgres,moto").split(","));
        Map<String, List<LoadResult>> results = new LinkedHashMap<>();

        if (targets.contains("h2")) {
            Path h2Dir = Files.createDirectories(work.resolve("h2"));
            try (BenchTarget target = BenchTarget.controlApi("control-api (H2)", jar, h2Dir, Map.of())) {
                results.put(target.name, run(target, nodes, phase));
            }
        }
        if (targets.contains("postgres")) {
            // Embedded PostgreSQL turns durability off by default; a production server has it on.
            try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on").start()) {
                Path pgDir = Files.createDirectories(work.resolve("pg"));
                Map<String, String> pg = Map.of("CONTROL_API_JDBC_URL", postgres.getJdbcUrl("postgres", "postgres"),
                        "CONTROL_API_JDBC_USER", "postgres", "CONTROL_API_JDBC_PASSWORD", "postgres");
                try (BenchTarget target = BenchTarget.controlApi("control-api (PostgreSQL)", jar, pgDir, pg)) {
                    results.put(target.name, run(target, nodes, phase));
                }
            }
        }
        if (options.containsKey("endpoint")) {
            // An already running control API (e.g. one under a profiler), keyed with the bench root key.
            BenchTarget external = BenchTarget.external(java.net.URI.create(options.get("endpoint")));
            results.put(external.name, run(external, nodes, phase));
        }
        if (targets.contains("moto")) {
            try (BenchTarget target = BenchTarget.moto(work)) {
                results.put(target.name, run(target, nodes, phase));
            }
        }
        String report = report(results, nodes, phase);
        System.out.println(report);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), report);
        }
    }

    private static List<LoadResult> run(BenchTarget target, int nodes, Duration phase) throws Exception {
        System.err.printf("== %s at %s%n", target.name, target.endpoint);
        AppMeshRequests requests = new AppMeshRequests(target.endpoint, KEY_ID, SECRET);
        LoadGenerator load = new LoadGenerator();
        var created = load.send(requests.createMesh(MESH));
        if (created.statusCode() != 200) {
            throw new IllegalStateException("CreateMesh on " + target.name + ": " + created.statusCode() + " " + created.body());
        }
        List<LoadResult> out = new ArrayList<>();
        out.add(log(load.closedLoop("create (filling the mesh)", 16, Duration.ofHours(1),
                i -> i < nodes ? requests.createNode(MESH, node(i)) : null)));
        out.add(log(load.closedLoop("describe", 16, phase, i -> requests.describeNode(MESH, randomNode(nodes)))));
        out.add(log(load.closedLoop("list (limit 100)", 8, phase, i -> requests.listNodes(MESH, 100))));
        out.add(log(load.closedLoop("update", 8, phase,
                i -> requests.updateNode(MESH, randomNode(nodes), 8000 + (int) (i % 1000)))));
        out.add(log(load.openLoop("describe", 200, phase, i -> requests.describeNode(MESH, randomNode(nodes)))));
        out.add(log(load.openLoop("create", 200, phase, i -> requests.createNode(MESH, "extra-" + i))));
        return out;
    }

    private static LoadResult log(LoadResult r) {
        System.err.printf(Locale.ROOT, "   %-26s %-18s %9.0f/s  p50 %7.2f ms  p99 %7.2f ms  failed %d%n",
                r.operation(), r.mode(), r.throughput(), r.p50Millis(), r.p99Millis(), r.failed());
        return r;
    }

    private static String node(long i) {
        return String.format(Locale.ROOT, "node-%05d", i);
    }

    private static String randomNode(int nodes) {
        return node(ThreadLocalRandom.current().nextInt(nodes));
    }

    private static String report(Map<String, List<LoadResult>> results, int nodes, Duration phase) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Control API benchmark, %s, %d cores, mesh of %,d virtual nodes, %d s per phase%n%n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), nodes, phase.toSeconds()));
        sb.append("| operation | load | target | ok/s | p50 ms | p99 ms | failed |\n|---|---|---|---:|---:|---:|---:|\n");
        List<String> targets = new ArrayList<>(results.keySet());
        int phases = results.get(targets.get(0)).size();
        for (int p = 0; p < phases; p++) {
            for (String t : targets) {
                LoadResult r = results.get(t).get(p);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.2f | %.2f | %d |%n", r.operation(), r.mode(),
                        t, r.throughput(), r.p50Millis(), r.p99Millis(), r.failed()));
            }
        }
        String moto = targets.get(targets.size() - 1);
        if (!moto.startsWith("moto")) {
            return sb.toString();
        }
        sb.append("\nThroughput ratios against ").append(moto).append(" (closed-loop phases):\n\n")
                .append("| operation | ").append(String.join(" | ", targets.subList(0, targets.size() - 1)))
                .append(" |\n|---|").append("---:|".repeat(targets.size() - 1)).append('\n');
        for (int p = 0; p < 4; p++) {
            LoadResult reference = results.get(moto).get(p);
            sb.append("| ").append(reference.operation());
            for (String t : targets.subList(0, targets.size() - 1)) {
                sb.append(String.format(Locale.ROOT, " | %.1fx", results.get(t).get(p).throughput() / reference.throughput()));
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            out.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return out;
    }
}
