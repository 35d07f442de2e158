package io.meshwork.cli.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxyapi.TrafficReport;
import io.meshwork.proxyapi.login.ControlApiCredentialsProvider;
import io.meshwork.proxyapi.login.SignedControlApiClient;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.appmesh.AppMeshClient;
import software.amazon.awssdk.services.appmesh.model.Listener;
import software.amazon.awssdk.services.appmesh.model.PortProtocol;
import software.amazon.awssdk.services.appmesh.model.VirtualGatewayListener;
import software.amazon.awssdk.services.appmesh.model.VirtualRouterListener;
import software.amazon.awssdk.services.appmesh.model.WeightedTarget;

import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real control API in the test JVM with a shop mesh in it (a gateway, a frontend calling a
 * catalog behind a router with a 90/10 canary), proxies simulated the way real ones talk to it
 * (signed heartbeats carrying traffic reports, acknowledgements, refusals, CSRs), and the real
 * CLI run as its own process.
 */
public final class LiveMesh implements AutoCloseable {
    public static final String KEY_ID = "MWKCLITESTROOT000001";
    public static final String SECRET = "cli-test-root-secret-0123456789";
    public static final String MESH = "shop";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedServer server;
    private final URI endpoint;
    private final SignedControlApiClient signed;

    public LiveMesh(Map<String, Object> settings) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", port);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("control-api.data-dir", Files.createTempDirectory("meshwork-cli-").toString());
        props.put("control-api.root-access-key-id", KEY_ID);
        props.put("control-api.root-secret-access-key", SECRET);
        props.putAll(settings);
        server = ApplicationContext.run(EmbeddedServer.class, props);
        endpoint = URI.create("http://127.0.0.1:" + port + "/");
        signed = new SignedControlApiClient(endpoint, "us-east-1", ControlApiCredentialsProvider.builder().controlApi(endpoint)
                .awsCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET))).build(),
                HttpClient.newHttpClient());
        try (AppMeshClient c = appMesh()) {
            createShop(c);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public AppMeshClient appMesh() {
        return AppMeshClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET))).build();
    }

    private static void createShop(AppMeshClient c) {
        c.createMesh(r -> r.meshName(MESH));
        for (String node : List.of("catalog-v1", "catalog-v2")) {
            c.createVirtualNode(r -> r.meshName(MESH).virtualNodeName(node).spec(s -> s
                    .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                    .serviceDiscovery(d -> d.dns(dns -> dns.hostname(node + ".shop.local")))));
        }
        c.createVirtualRouter(r -> r.meshName(MESH).virtualRouterName("catalog").spec(s -> s
                .listeners(VirtualRouterListener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())));
        c.createRoute(r -> r.meshName(MESH).virtualRouterName("catalog").routeName("canary").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/")).action(a -> a.weightedTargets(
                        WeightedTarget.builder().virtualNode("catalog-v1").weight(90).build(),
                        WeightedTarget.builder().virtualNode("catalog-v2").weight(10).build())))));
        c.createVirtualService(r -> r.meshName(MESH).virtualServiceName("catalog.shop.local")
                .spec(s -> s.provider(p -> p.virtualRouter(v -> v.virtualRouterName("catalog")))));
        c.createVirtualNode(r -> r.meshName(MESH).virtualNodeName("frontend").spec(s -> s
                .listeners(Listener.builder().portMapping(p -> p.port(8080).protocol(PortProtocol.HTTP)).build())
                .serviceDiscovery(d -> d.dns(dns -> dns.hostname("frontend.shop.local")))
                .backends(b -> b.virtualService(v -> v.virtualServiceName("catalog.shop.local")))));
        c.createVirtualService(r -> r.meshName(MESH).virtualServiceName("frontend.shop.local")
                .spec(s -> s.provider(p -> p.virtualNode(v -> v.virtualNodeName("frontend")))));
        c.createVirtualGateway(r -> r.meshName(MESH).virtualGatewayName("ingress").spec(s -> s
                .listeners(VirtualGatewayListener.builder().portMapping(p -> p.port(8443).protocol("http")).build())));
        c.createGatewayRoute(r -> r.meshName(MESH).virtualGatewayName("ingress").gatewayRouteName("to-frontend").spec(s -> s
                .httpRoute(h -> h.match(m -> m.prefix("/")).action(a -> a.target(t -> t.virtualService(
                        v -> v.virtualServiceName("frontend.shop.local")))))));
    }

    /** The version the control API has compiled for a node or gateway ({@code virtualNode/frontend}), as a proxy's first poll sees it. */
    public String currentVersion(String proxyId, String resource) throws Exception {
        HttpResponse<byte[]> r = signed.send("GET", "meshwork/v1/proxies/" + proxyId + "/config?waitSeconds=0&resourceArn="
                + SignedControlApiClient.encode("mesh/" + MESH + "/" + resource), null, Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("config poll answered " + r.statusCode());
        }
        return r.headers().firstValue("x-meshwork-config-version").orElseThrow();
    }

    /** A heartbeat as a proxy sends it: what it runs, what it refused, its traffic so far. */
    public void heartbeat(String proxyId, String resource, String runningVersion, String rejectedVersion, String rejectedReason,
                          TrafficReport traffic) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resourceArn", "mesh/" + MESH + "/" + resource);
        putIfSet(body, "runningVersion", runningVersion);
        putIfSet(body, "rejectedVersion", rejectedVersion);
        putIfSet(body, "rejectedReason", rejectedReason);
        if (traffic != null) {
            body.put("traffic", traffic);
        }
        HttpResponse<byte[]> r = signed.send("PUT", "meshwork/v1/proxies/" + proxyId, JSON.writeValueAsBytes(body), Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("heartbeat answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    /** A proxy up to date with the current version of its node or gateway. */
    public void healthyProxy(String proxyId, String resource, TrafficReport traffic) throws Exception {
        heartbeat(proxyId, resource, currentVersion(proxyId, resource), null, null, traffic);
    }

    /** Asks for a workload certificate with a fresh key, as a proxy does. */
    public void certificate(String proxyId, String resource) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        var keys = g.generateKeyPair();
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=proxy"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(request);
        }
        Map<String, Object> body = Map.of("resourceArn", "mesh/" + MESH + "/" + resource, "csr", pem.toString());
        HttpResponse<byte[]> r = signed.send("POST", "meshwork/v1/proxies/" + proxyId + "/certificate", JSON.writeValueAsBytes(body),
                Duration.ofSeconds(10));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("certificate answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    /**
     * What a frontend proxy reports after {@code n} rounds of traffic: 100 requests a round to
     * catalog-v1 ({@code errorsPerRound} of them 503s; latencies of 2.5 to 5 ms, one in a hundred
     * 250 to 500 ms) and 10 to catalog-v2.
     */
    public static TrafficReport frontendTraffic(long startedAt, long n, long errorsPerRound) {
        long[] v1 = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
        v1[2] = 99 * n;
        v1[8] = n;
        long[] v2 = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
        v2[3] = 10 * n;
        return new TrafficReport(startedAt, List.of(
                new TrafficReport.Edge("outbound", "catalog.shop.local", "catalog/canary", "catalog-v1", "http", 100 * n,
                        new long[] {0, (100 - errorsPerRound) * n, 0, 0, errorsPerRound * n}, v1, 400_000 * n, 2, 20_000 * n,
                        80_000 * n, 0, 0),
                new TrafficReport.Edge("outbound", "catalog.shop.local", "catalog/canary", "catalog-v2", "http", 10 * n,
                        new long[] {0, 10 * n, 0, 0, 0}, v2, 60_000 * n, 1, 2_000 * n, 8_000 * n, 0, 0)));
    }

    /** What a catalog proxy reports after {@code n} rounds: requests served to its app on 8080. */
    public static TrafficReport inboundTraffic(long startedAt, long n, long perRound) {
        long[] b = new long[TrafficReport.LATENCY_BOUNDS_MILLIS.length + 1];
        b[1] = perRound * n;
        return new TrafficReport(startedAt, List.of(new TrafficReport.Edge("inbound", "8080", null, null, "http", perRound * n,
                new long[] {0, perRound * n, 0, 0, 0}, b, 2_000L * perRound * n, 0, 500 * perRound * n, 2000 * perRound * n, 0, 0)));
    }

    /** The CLI's exit code and what it printed. */
    public record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code meshwork args...} as its own process, signing as the root key, against this control API. */
    public Run cli(String... args) throws Exception {
        return cli(Map.of("AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET, "MESHWORK_ENDPOINT", endpoint.toString()), args);
    }

    public static Run cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cliClassPath(), "io.meshwork.cli.Meshwork"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("MESHWORK_"));
        builder.environment().put("AWS_CONFIG_FILE", "/nonexistent/config");
        builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
        builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        builder.environment().putAll(env);
        Path out = Files.createTempFile("meshwork-cli-", ".out");
        Path err = Files.createTempFile("meshwork-cli-", ".err");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("meshwork " + String.join(" ", args) + " still running after 60 s");
        }
        Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.println("$ meshwork " + String.join(" ", args) + "   # exit " + run.exitCode() + "\n" + run.out() + run.err());
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return run;
    }

    /** target/classes and the CLI's runtime dependencies (written by the build), not the test class path. */
    private static String cliClassPath() throws IOException {
        Path deps = Path.of("target/cli-runtime-classpath.txt");
        return Path.of("target/classes").toAbsolutePath() + java.io.File.pathSeparator + Files.readString(deps).trim();
    }

    private static void putIfSet(Map<String, Object> body, String key, String value) {
        if (value != null) {
            body.put(key, value);
        }
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
