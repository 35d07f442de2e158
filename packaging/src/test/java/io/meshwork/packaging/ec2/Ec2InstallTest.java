package io.meshwork.packaging.ec2;

import io.meshwork.packaging.Await;
import io.meshwork.packaging.Command;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.appmesh.AppMeshClient;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An EC2 host as packaging/install lays it out (into a temporary root here): the systemd units verify
 * against that layout, and the installed launchers run the installed control API and proxy.
 */
class Ec2InstallTest {
    static final Path ROOT = Path.of(System.getProperty("meshwork.root", "..")).toAbsolutePath().normalize();
    static final String KEY_ID = "MWKINSTALLTEST000001";
    static final String SECRET = "install-test-secret-not-for-production-0";

    @TempDir
    static Path host;

    @BeforeAll
    static void install() {
        Command.run(ROOT.resolve("packaging/install").toString(), host.toString()).check();
    }

    @Test
    void theSystemdUnitsVerifyAgainstTheInstalledLayout() throws IOException {
        assumeTrue(Command.onPath("systemd-analyze"), "skipped: systemd-analyze is missing (apt-get install systemd)");
        // --root resolves every dependency (sysinit.target, network-online.target) inside the root: the
        // distribution's own units stand in for those of the host being installed.
        Command.run("cp", "-r", "/usr/lib/systemd/system", Files.createDirectories(host.resolve("usr/lib/systemd")).toString()).check();
        List<String> line = new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + host));
        try (Stream<Path> units = Files.list(host.resolve("etc/systemd/system"))) {
            units.filter(unit -> unit.getFileName().toString().startsWith("meshwork-")).sorted().forEach(unit -> line.add(unit.toString()));
        }
        assertEquals(3, line.size() - 3, "three units: " + line);

        Command verify = Command.run(line.toArray(String[]::new));

        // Any output is a finding: a missing program fails, an unknown or misspelt setting only warns.
        assertEquals(0, verify.exitCode(), verify.output());
        assertEquals("", verify.output().strip());
    }

    @Test
    void theInstalledControlApiAndProxyRunAndTheProxyGetsItsNodesConfiguration() throws IOException, InterruptedException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        URI api = URI.create("http://127.0.0.1:" + port);
        String address = "127.214." + ThreadLocalRandom.current().nextInt(1, 255) + "." + ThreadLocalRandom.current().nextInt(1, 255);
        Path bin = host.resolve("opt/meshwork/bin");
        Map<String, String> java = Map.of("JAVA_HOME", System.getProperty("java.home"));
        Process controlApi = start(bin.resolve("meshwork-control-api"), java, Map.of(
                "CONTROL_API_PORT", Integer.toString(port),
                "CONTROL_API_DATA_DIR", host.resolve("var/lib/meshwork/control-api").toString(),
                "CONTROL_API_ROOT_ACCESS_KEY_ID", KEY_ID, "CONTROL_API_ROOT_SECRET_ACCESS_KEY", SECRET));
        Process proxy = null;
        try {
            Await.until(Duration.ofSeconds(60), () -> answers(api.resolve("/health")) || !controlApi.isAlive(),
                    () -> "the installed control API does not answer:\n" + log("meshwork-control-api"));
            assertTrue(controlApi.isAlive(), () -> "the installed control API exited:\n" + log("meshwork-control-api"));
            try (AppMeshClient appMesh = AppMeshClient.builder().endpointOverride(api).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                appMesh.createMesh(b -> b.meshName("installed"));
                appMesh.createVirtualNode(b -> b.meshName("installed").virtualNodeName("app").spec(s -> s
                        .listeners(l -> l.portMapping(p -> p.port(8000).protocol("http")))
                        .serviceDiscovery(d -> d.dns(dns -> dns.hostname(address)))));
            }
            // The kernel reports pages of a file written moments ago (the install's archive) as dirty until they are
            // written back; written back, the archive's pages are what any later start maps.
            Command.run("sync").check();
            // Local mode: on a shared test machine the proxy keeps to an address of its own, no iptables.
            proxy = start(bin.resolve("meshwork-proxy"), java, Map.of(
                    "APPMESH_RESOURCE_ARN", "mesh/installed/virtualNode/app", "PROXY_MODE", "local",
                    "PROXY_LOCAL_ADDRESS", address, "PROXY_CONTROL_API_URL", api.toString(),
                    "PROXY_DATA_DIR", host.resolve("var/lib/meshwork/proxy").toString(),
                    "AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET));
            URI ready = URI.create("http://" + address + ":9901/ready");
            Process started = proxy;
            Await.until(Duration.ofSeconds(60), () -> answers(ready) || !started.isAlive(),
                    () -> "the installed proxy has no configuration:\n" + log("meshwork-proxy"));
            assertTrue(started.isAlive(), () -> "the installed proxy exited:\n" + log("meshwork-proxy"));

            try (Stream<Path> saved = Files.list(host.resolve("var/lib/meshwork/proxy"))) {
                assertTrue(saved.findAny().isPresent(), "the proxy saved its configuration");
            }
            // The class-data archive the install made is mapped where it was made for: its read-only part stays
            // clean, shared by every proxy on the host, instead of rewritten (relocated) into private memory.
            ArchiveMapping archive = ArchiveMapping.of(started.pid(), "proxy.jsa");
            assertTrue(archive.readOnlyBytes() > 1024 * 1024, () -> "the archive's read-only part is mapped as such: " + archive);
            assertEquals(0, archive.readOnlyDirtyBytes(), () -> "nothing of the archive's read-only part is rewritten: " + archive);
        } finally {
            stop(proxy);
            stop(controlApi);
        }
    }

    @Test
    void installingAgainReplacesTheProgramsAndKeepsTheSettings() throws IOException {
        Path settings = host.resolve("etc/meshwork/proxy.env");
        Files.writeString(settings, "APPMESH_RESOURCE_ARN=mesh/mine/virtualNode/kept\n");
        // An older install's layout: the proxy's libraries beside its jar.
        Path stale = host.resolve("opt/meshwork/lib/proxy/lib/left-over-from-an-older-version.jar");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "");

        Command.run(ROOT.resolve("packaging/install").toString(), host.toString()).check();

        assertEquals("APPMESH_RESOURCE_ARN=mesh/mine/virtualNode/kept\n", Files.readString(settings));
        assertFalse(Files.exists(stale), "an upgrade leaves no library of the previous version behind");
        assertTrue(Files.isExecutable(host.resolve("opt/meshwork/bin/proxy-init")));
        assertTrue(Files.exists(host.resolve("opt/meshwork/lib/proxy/proxy.jar")));
    }

    private static Process start(Path launcher, Map<String, String> java, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString()).redirectErrorStream(true)
                .redirectOutput(host.resolve(launcher.getFileName() + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("PROXY_") || name.startsWith("CONTROL_API_")
                || name.startsWith("APPMESH_") || name.startsWith("AWS_"));
        builder.environment().putAll(java);
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String log(String launcher) {
        try {
            return Files.readString(host.resolve(launcher + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean answers(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout(300);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** A process's mappings of one file from /proc/PID/smaps: the read-only ones' size and their privately written pages. */
    record ArchiveMapping(long readOnlyBytes, long readOnlyDirtyBytes, List<String> mappings) {
        static ArchiveMapping of(long pid, String fileName) throws IOException {
            long size = 0;
            long dirty = 0;
            List<String> mappings = new ArrayList<>();
            boolean inFile = false;
            boolean readOnly = false;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                    inFile = f.length >= 6 && f[f.length - 1].endsWith("/" + fileName);
                    readOnly = f[1].startsWith("r-");
                    if (inFile) {
                        mappings.add(f[0] + " " + f[1]);
                    }
                } else if (inFile && readOnly && f[0].equals("Size:")) {
                    size += Long.parseLong(f[1]) * 1024;
                } else if (inFile && readOnly && f[0].equals("Private_Dirty:")) {
                    dirty += Long.parseLong(f[1]) * 1024;
                }
            }
            return new ArchiveMapping(size, dirty, mappings);
        }
    }

    private static void stop(Process process) throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
