package io.meshwork.bench.cloudmap;

import io.meshwork.bench.controlapi.AppMeshRequests;
import io.meshwork.bench.controlapi.BenchTarget;
import io.meshwork.cloudmap.client.CloudMapClients;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cloud Map → proxies: {@code services} Cloud Map services with {@code instances} instances each
 * (moto_server), one virtual node per service discovered through Cloud Map, and per service one
 * client node whose simulated proxy long-polls its snapshot through the data-plane protocol. Each
 * change (an instance registered or deregistered at a random moment) is timed until the affected
 * proxy holds a snapshot with it. Then the control API's Cloud Map call count is read over a
 * quiet minute.
 */
public final class CloudMapPropagationBench {
    private static final String MESH = "cm";
    private static final Pattern VERSION = Pattern.compile("x-meshwork-config-version");

    private CloudMapPropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = 100;
        int instances = 10;
        int changes = 100;
        int quietSeconds = 60;
        Path jar = Path.of("control-api/target/control-api-0.1.0-SNAPSHOT.jar");
        String out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--services" -> services = Integer.parseInt(args[i + 1]);
                case "--instances" -> instances = Integer.parseInt(args[i + 1]);
                case "--changes" -> changes = Integer.parseInt(args[i + 1]);
                case "--quiet-seconds" -> quietSeconds = Integer.parseInt(args[i + 1]);
                case "--jar" -> jar = Path.of(args[i + 1]);
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Path data = Files.createTempDirectory("meshwork-cloudmap-bench-");
        StringBuilder report = new StringBuilder();
        try (BenchTarget moto = BenchTarget.moto(data);
             ServiceDiscoveryClient cloudMap = CloudMapClients.create("us-east-1", moto.endpoint,
                     StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))) {
            String[] serviceIds = new String[services];
            String op = cloudMap.createHttpNamespace(r -> r.name("bench.local")).operationId();
            String ns = cloudMap.getOperation(r -> r.operationId(op)).operation().targetsAsStrings().get("NAMESPACE");
            for (int s = 0; s < services; s++) {
                int sv = s;
                serviceIds[s] = cloudMap.createService(r -> r.name("svc-" + sv).namespaceId(ns)).service().id();
                for (int i = 0; i < instances; i++) {
                    register(cloudMap, serviceIds[s], "i-" + s + "-" + i, s, i);
                }
            }
            System.err.printf("Cloud Map: %d services, %d instances%n", services, services * instances);

            try (BenchTarget api = BenchTarget.controlApi("control-api (H2)", jar, data, Map.of(
                    "CONTROL_API_CLOUDMAP_ENABLED", "true", "CONTROL_API_CLOUDMAP_ENDPOINT", moto.endpoint.toString(),
                    "CONTROL_API_CLOUDMAP_POLL_INTERVAL", "1s", "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing"))) {
                AppMeshRequests requests = new AppMeshRequests(api.endpoint, BenchTarget.KEY_ID, BenchTarget.SECRET);
                HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r);
                    t.setDaemon(true);
                    return t;
                })).build();
                check(http.send(requests.createMesh(MESH), HttpResponse.BodyHandlers.ofString()));
                for (int s = 0; s < services; s++) {
                    check(http.send(requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualNodes", "{\"virtualNodeName\":\"node-" + s
                            + "\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":8080,\"protocol\":\"http\"}}],\"serviceDiscovery\":"
                            + "{\"awsCloudMap\":{\"namespaceName\":\"bench.local\",\"serviceName\":\"svc-" + s + "\"}}}}"),
                            HttpResponse.BodyHandlers.ofString()));
                    check(http.send(requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualServices", "{\"virtualServiceName\":\"svc-"
                            + s + ".bench.local\",\"spec\":{\"provider\":{\"virtualNode\":{\"virtualNodeName\":\"node-" + s + "\"}}}}"),
                            HttpResponse.BodyHandlers.ofString()));
                    check(http.send(requests.signed("PUT", "/v20190125/meshes/" + MESH + "/virtualNodes", "{\"virtualNodeName\":\"client-" + s
                            + "\",\"spec\":{\"backends\":[{\"virtualService\":{\"virtualServiceName\":\"svc-" + s + ".bench.local\"}}]}}"),
                            HttpResponse.BodyHandlers.ofString()));
                }
                Watchers watchers = new Watchers(http, requests, services);
                watchers.start();
                int expected = instances;
                long firstDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!watchers.allHave(expected)) {
                    if (System.nanoTime() > firstDeadline) {
                        throw new IllegalStateException("not every proxy got its " + expected + " Cloud Map endpoints");
                    }
                    Thread.sleep(50);
                }
                System.err.printf("%d simulated proxies hold their nodes' %d Cloud Map endpoints each%n", services, instances);

                Random random = new Random(7);
                Histogram lags = new Histogram(60_000, 3);
                int[] extra = new int[services];
                for (int c = 0; c < changes; c++) {
                    Thread.sleep(random.nextInt(1000));
                    int s = random.nextInt(services);
                    int before = watchers.endpoints(s);
                    long at;
                    if (extra[s] == 0) {
                        register(cloudMap, serviceIds[s], "extra-" + s, s, 200);
                        extra[s] = 1;
                    } else {
                        cloudMap.deregisterInstance(r -> r.serviceId(serviceIds[s]).instanceId("extra-" + s));
                        extra[s] = 0;
                    }
                    at = System.nanoTime();
                    int want = extra[s] == 1 ? before + 1 : before - 1;
                    lags.recordValue(watchers.awaitEndpoints(s, want, at, Duration.ofSeconds(30)));
                }

                long callsBefore = calls(http, requests);
                long quietStart = System.nanoTime();
                Thread.sleep(quietSeconds * 1000L);
                long calls = calls(http, requests) - callsBefore;
                double perMinute = calls * 60.0 / ((System.nanoTime() - quietStart) / 1e9);
                watchers.stop();

                report.append(String.format(Locale.ROOT, "Cloud Map propagation, %s, %d cores: %d Cloud Map services × %d instances"
                                + " (moto_server 5.2.1), %d virtual nodes discovered through Cloud Map, %d simulated proxies"
                                + " (one client node per service) long-polling; control API on H2, poll interval 1 s.%n%n",
                        LocalDate.now(), Runtime.getRuntime().availableProcessors(), services, instances, services, services));
                report.append("| what | p50 | p99 | max | samples |\n|---|---:|---:|---:|---:|\n");
                report.append(String.format(Locale.ROOT, "| RegisterInstance/DeregisterInstance → the affected proxy holds it | %d ms | %d ms | %d ms | %d |%n",
                        lags.getValueAtPercentile(50), lags.getValueAtPercentile(99), lags.getMaxValue(), lags.getTotalCount()));
                report.append(String.format(Locale.ROOT, "%nCloud Map calls at steady state (no changes, %d s): %,.0f per minute = %.1f per second"
                                + " for %d services (one DiscoverInstancesRevision per service per poll, plus a DiscoverInstances per"
                                + " service every 10 s for health). Cloud Map's published DiscoverInstances quota: 1,000 per second"
                                + " per account and Region (bucket 2,000): %.1f %% of it.%n",
                        quietSeconds, perMinute, perMinute / 60, services, perMinute / 60 / 1000 * 100));
            }
        }
        System.out.println(report);
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
        }
    }

    private static void register(ServiceDiscoveryClient cloudMap, String serviceId, String id, int s, int i) {
        cloudMap.registerInstance(r -> r.serviceId(serviceId).instanceId(id).attributes(Map.of(
                "AWS_INSTANCE_IPV4", "10." + (s / 250) + "." + (s % 250) + "." + (i + 1), "AWS_INSTANCE_PORT", "8080")));
    }

    private static long calls(HttpClient http, AppMeshRequests requests) throws Exception {
        String body = http.send(requests.signed("GET", "/meshwork/v1/cloudmap", null), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"cloudMapCalls\":(\\d+)").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no call count in " + body);
        }
        return Long.parseLong(m.group(1));
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
    }

    /** One long-polling simulated proxy per client node, counting the endpoints of its one backend cluster. */
    private static final class Watchers {
        private static final Pattern ADDRESS = Pattern.compile("\"address\"");
        private final HttpClient http;
        private final AppMeshRequests requests;
        private final String[] version;
        private final AtomicLongArray count;
        private final AtomicLongArray changedAt;
        private volatile boolean stopped;

        Watchers(HttpClient http, AppMeshRequests requests, int n) {
            this.http = http;
            this.requests = requests;
            this.version = new String[n];
            this.count = new AtomicLongArray(n);
            this.changedAt = new AtomicLongArray(n);
        }

        void start() {
            for (int i = 0; i < version.length; i++) {
                poll(i);
            }
        }

        void stop() {
            stopped = true;
        }

        int endpoints(int i) {
            return (int) count.get(i);
        }

        boolean allHave(int n) {
            for (int i = 0; i < version.length; i++) {
                if (count.get(i) != n) {
                    return false;
                }
            }
            return true;
        }

        long awaitEndpoints(int i, int want, long since, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (count.get(i) == want) {
                    return Math.max(0, (changedAt.get(i) - since) / 1_000_000);
                }
                Thread.sleep(2);
            }
            throw new IllegalStateException("proxy " + i + " did not get " + want + " endpoints within " + timeout);
        }

        private void poll(int i) {
            if (stopped) {
                return;
            }
            String path = "/meshwork/v1/proxies/sim-" + i + "/config?resourceArn=mesh%2F" + MESH + "%2FvirtualNode%2Fclient-" + i
                    + "&version=" + (version[i] == null ? "" : version[i]) + "&waitSeconds=30";
            http.sendAsync(requests.signed("GET", path, null), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                if (error == null && response.statusCode() == 200) {
                    long now = System.nanoTime();
                    version[i] = response.headers().firstValue("x-meshwork-config-version").orElse("");
                    Matcher m = ADDRESS.matcher(response.body());
                    int n = 0;
                    while (m.find()) {
                        n++;
                    }
                    changedAt.set(i, now);
                    count.set(i, n);
                } else if (error != null || response.statusCode() != 304) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                poll(i);
            });
        }
    }
}
