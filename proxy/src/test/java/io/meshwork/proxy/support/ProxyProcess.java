package io.meshwork.proxy.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Meshwork proxy as its own process in local mode, as `bin/proxy` runs it. */
public final class ProxyProcess implements AutoCloseable {
    private final Process process;
    private final String address;
    private final Path log;
    private final Map<String, String> env;

    private ProxyProcess(Process process, String address, Path log, Map<String, String> env) {
        this.process = process;
        this.address = address;
        this.log = log;
        this.env = env;
    }

    /**
     * Starts the proxy of {@code resource} ({@code mesh/M/virtualNode/N}) bound to {@code address},
     * delivering to an app at {@code appAddress}, saving snapshots under {@code dataDir}.
     */
    public static ProxyProcess start(ControlPlane plane, String resource, String address, String appAddress, Path dataDir,
                                     Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", ControlPlane.KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", ControlPlane.SECRET);
        env.putAll(extra);
        return startWithCredentials(plane, resource, address, appAddress, dataDir, env);
    }

    /**
     * Starts the proxy with no Meshwork key: its credentials are whatever the AWS chain finds in
     * {@code credentials} (an ECS container credentials endpoint, a web identity token, ...). The
     * test JVM's own AWS variables are not passed on, and the EC2 metadata service is not probed.
     */
    public static ProxyProcess startWithAwsIdentity(ControlPlane plane, String resource, String address, String appAddress,
                                                    Path dataDir, Map<String, String> credentials) {
        Map<String, String> env = new HashMap<>(credentials);
        env.putIfAbsent("AWS_EC2_METADATA_DISABLED", "true");
        return startWithCredentials(plane, resource, address, appAddress, dataDir, env);
    }

    /** As {@link #start(ControlPlane, String, String, String, Path, Map)}, against a control API at {@code controlApi}. */
    public static ProxyProcess start(URI controlApi, String resource, String address, String appAddress, Path dataDir,
                                     Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", ControlPlane.KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", ControlPlane.SECRET);
        env.putAll(extra);
        return startWithCredentials(controlApi, resource, address, appAddress, dataDir, env);
    }

    private static ProxyProcess startWithCredentials(ControlPlane plane, String resource, String address, String appAddress,
                                                     Path dataDir, Map<String, String> extra) {
        return startWithCredentials(plane.endpoint(), resource, address, appAddress, dataDir, extra);
    }

    private static ProxyProcess startWithCredentials(URI controlApi, String resource, String address, String appAddress,
                                                     Path dataDir, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("APPMESH_RESOURCE_ARN", resource);
        env.put("PROXY_MODE", "local");
        env.put("PROXY_LOCAL_ADDRESS", address);
        env.put("PROXY_APP_ADDRESS", appAddress);
        env.put("PROXY_CONTROL_API_URL", controlApi.toString());
        env.put("PROXY_DATA_DIR", dataDir.toString());
        // One name per node and address: a restarted proxy takes over its own registration.
        env.put("PROXY_ID", (resource.substring(resource.lastIndexOf('/') + 1) + "-" + address).replaceAll("[^A-Za-z0-9._:-]", "_"));
        env.putAll(extra);
        return launch(address, env);
    }

    private static ProxyProcess launch(String address, Map<String, String> env) {
        try {
            Path log = Files.createTempFile("proxy-", ".log");
            // The proxy's own runtime classpath (written by the build), not the test JVM's: what bin/proxy runs.
            String classpath = Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator
                    + Files.readString(Path.of("target", "runtime-classpath.txt")).trim();
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-cp", classpath, "io.meshwork.proxy.ProxyMain");
            // The proxy's AWS credentials are the test's to choose: none leak in from the test JVM.
            builder.environment().keySet().removeIf(k -> k.startsWith("PROXY_") || k.startsWith("APPMESH_")
                    || (k.startsWith("AWS_") && !k.equals("AWS_CA_BUNDLE")));
            builder.environment().putAll(env);
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            return new ProxyProcess(builder.start(), address, log, env);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The proxy's classes and dependencies copied into {@code dir}, readable by any user: a
     * sidecar runs as uid 1337, which cannot read root's Maven repository. Returns the classpath.
     */
    public static String stageClasspath(Path dir) {
        try {
            List<String> entries = new java.util.ArrayList<>();
            List<String> sources = new java.util.ArrayList<>();
            sources.add(Path.of("target", "classes").toAbsolutePath().toString());
            sources.addAll(List.of(Files.readString(Path.of("target", "runtime-classpath.txt")).trim().split(java.io.File.pathSeparator)));
            int n = 0;
            for (String source : sources) {
                Path from = Path.of(source);
                // A reactor build lists sibling modules as their classes directories.
                Path to = dir.resolve(Files.isDirectory(from) ? "classes-" + n++ : "lib/" + from.getFileName());
                copy(from, to);
                entries.add(to.toString());
            }
            try (var files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(
                            Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            return String.join(java.io.File.pathSeparator, entries);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Starts the same proxy again (same address, same saved snapshot), e.g. after {@link #kill()}. */
    public ProxyProcess restart() {
        return launch(address, env);
    }

    /** Waits until the proxy's /ready answers 200: it has a configuration in force. */
    public ProxyProcess awaitReady() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("proxy exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) admin("/ready").toURL().openConnection();
                c.setConnectTimeout(200);
                if (c.getResponseCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // keep waiting
            }
            sleep(50);
        }
        throw new IllegalStateException("proxy at " + address + " not ready:\n" + output());
    }

    public URI admin(String path) {
        return URI.create("http://" + address + ":9901" + path);
    }

    public String address() {
        return address;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Resident memory of the proxy process, in KiB, from /proc. */
    public long residentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Live instances of a class on the proxy's heap after a full GC (jcmd's class histogram). */
    public long liveInstances(String className) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "GC.class_histogram").redirectErrorStream(true).start();
            String histogram = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            for (String line : histogram.split("\n")) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length >= 4 && columns[3].equals(className)) {
                    return Long.parseLong(columns[1]);
                }
            }
            return 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a leftover log is harmless
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
