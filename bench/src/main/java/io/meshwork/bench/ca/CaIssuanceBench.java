package io.meshwork.bench.ca;

import io.meshwork.bench.controlapi.AppMeshRequests;
import io.meshwork.bench.controlapi.BenchTarget;
import io.meshwork.controlapi.ca.KeyAlgorithm;
import io.meshwork.controlapi.ca.X509Issuer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificate issuance: leaf certificates per second signed by the CA code alone (EC P-256,
 * all cores), and from CSRs through the real API (a control-api process, SigV4-signed POSTs
 * from concurrent clients on the same machine).
 */
public final class CaIssuanceBench {
    private static final String MESH = "ca-bench";

    private CaIssuanceBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 15;
        int clients = 8;
        Path jar = Path.of("control-api/target/control-api-0.1.0-SNAPSHOT.jar");
        String out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--jar" -> jar = Path.of(args[i + 1]);
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double signing = signingAlone(seconds, cores);
        System.err.printf("signing alone: %.0f/s%n", signing);

        Path data = Files.createTempDirectory("meshwork-ca-bench-");
        double api;
        long p50;
        long p99;
        try (BenchTarget control = BenchTarget.controlApi("control-api (H2)", jar, data, Map.of())) {
            AppMeshRequests requests = new AppMeshRequests(control.endpoint, BenchTarget.KEY_ID, BenchTarget.SECRET);
            HttpClient http = HttpClient.newHttpClient();
            check(http.send(requests.createMesh(MESH), HttpResponse.BodyHandlers.ofString()));
            check(http.send(requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualNodes",
                    "{\"virtualNodeName\":\"web\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}],"
                            + "\"serviceDiscovery\":{\"dns\":{\"hostname\":\"web.local\"}}}}"),
                    HttpResponse.BodyHandlers.ofString()));
            List<String> csrs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                csrs.add(csr(KeyAlgorithm.EC_P256.generate()));
            }
            // Warm-up (creates the root and the mesh CA, JIT).
            run(http, requests, csrs, clients, 3, new AtomicLong(), new ArrayList<>());
            AtomicLong issued = new AtomicLong();
            List<Long> latencies = new ArrayList<>();
            long started = System.nanoTime();
            run(http, requests, csrs, clients, seconds, issued, latencies);
            api = issued.get() / ((System.nanoTime() - started) / 1e9);
            latencies.sort(Long::compare);
            p50 = latencies.get(latencies.size() / 2);
            p99 = latencies.get((int) (latencies.size() * 0.99));
        }
        String report = String.format(Locale.ROOT, """
                CA issuance, %s, %d cores, EC P-256 leaves (24 h, SPIFFE URI + DNS SANs), %d s per measurement.

                | what | certificates/s | ÷ AWS Private CA IssueCertificate quota (25/s) |
                |---|---:|---:|
                | signing alone (X509Issuer, all cores) | %,.0f | %.0fx |
                | through the API: POST /meshwork/v1/proxies/{id}/certificate, %d concurrent clients, SigV4, CSR check, serial recorded in H2 | %,.0f | %.0fx |

                API latency per certificate: p50 %.1f ms, p99 %.1f ms (clients on the same 2 cores).
                """, LocalDate.now(), cores, seconds, signing, signing / 25, clients, api, api / 25, p50 / 1e6, p99 / 1e6);
        System.out.println(report);
        if (out != null) {
            Files.writeString(Path.of(out), report);
        }
    }

    /** Leaves per second from {@code threads} threads signing with one mesh CA, as the control API does. */
    private static double signingAlone(int seconds, int threads) throws Exception {
        KeyPair rootKeys = KeyAlgorithm.EC_P256.generate();
        X509Certificate root = X509Issuer.root(new X500Name("CN=bench root"), rootKeys.getPublic(), rootKeys.getPrivate(),
                KeyAlgorithm.EC_P256, BigInteger.ONE, Instant.now().plusSeconds(86_400 * 365));
        KeyPair meshKeys = KeyAlgorithm.EC_P256.generate();
        X509Certificate mesh = X509Issuer.subordinate(new X500Name("CN=bench mesh"), meshKeys.getPublic(),
                new X509Issuer.Signer(root, rootKeys.getPrivate(), KeyAlgorithm.EC_P256), BigInteger.TWO, Instant.now().plusSeconds(86_400 * 30));
        X509Issuer.Signer signer = new X509Issuer.Signer(mesh, meshKeys.getPrivate(), KeyAlgorithm.EC_P256);
        KeyPair leafKeys = KeyAlgorithm.EC_P256.generate();
        SecureRandom random = new SecureRandom();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong count = new AtomicLong();
        for (int phase = 0; phase < 2; phase++) { // the first phase warms the JIT up
            long until = System.nanoTime() + (phase == 0 ? 3L : seconds) * 1_000_000_000L;
            count.set(0);
            List<Future<?>> workers = new ArrayList<>();
            long started = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        X509Issuer.leaf(new X500Name("CN=web"), leafKeys.getPublic(), "spiffe://meshwork.local/mesh/m/virtualNode/web",
                                List.of("web.local"), signer, new BigInteger(159, random).setBit(158), Instant.now().plusSeconds(86_400));
                        count.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            if (phase == 1) {
                pool.shutdown();
                return count.get() / ((System.nanoTime() - started) / 1e9);
            }
        }
        throw new IllegalStateException();
    }

    private static void run(HttpClient http, AppMeshRequests requests, List<String> csrs, int clients, int seconds, AtomicLong issued,
                            List<Long> latencies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<List<Long>>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            workers.add(pool.submit(() -> {
                List<Long> mine = new ArrayList<>();
                int i = client;
                while (System.nanoTime() < until) {
                    String body = "{\"resourceArn\":\"mesh/" + MESH + "/virtualNode/web\",\"csr\":\""
                            + csrs.get(i++ % csrs.size()).replace("\n", "\\n") + "\"}";
                    HttpRequest request = requests.signed("POST", "/meshwork/v1/proxies/bench-" + client + "/certificate", body);
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    check(response);
                    mine.add(System.nanoTime() - t0);
                    issued.incrementAndGet();
                }
                return mine;
            }));
        }
        for (Future<List<Long>> f : workers) {
            latencies.addAll(f.get());
        }
        pool.shutdown();
    }

    private static String csr(KeyPair keys) throws Exception {
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=web"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(request);
        }
        return out.toString();
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
    }
}
