package io.meshwork.proxy.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Emulated tasks for sidecar tests: each task is a network namespace with its own address on a
 * bridge in the test's namespace (which holds {@link #BRIDGE_ADDRESS}, or the address given to
 * {@link #create(String, String)}, where the control API listens), a default route, and processes
 * started inside it, optionally as another uid.
 * Needs root and iproute2; everything made is removed by {@link #close()}.
 */
public final class NetworkNamespaces implements AutoCloseable {
    public static final String BRIDGE_ADDRESS = "10.99.0.254";
    private final String bridge;
    private final String bridgeAddress;
    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private NetworkNamespaces(String prefix, String bridgeAddress) {
        this.prefix = prefix;
        this.bridge = prefix + "br";
        this.bridgeAddress = bridgeAddress;
    }

    /** Whether the tests can build namespaces here: root, ip, iptables, setpriv. */
    public static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "sidecar tests need root (network namespaces, iptables)";
        }
        for (String tool : List.of("/usr/sbin/ip", "/usr/sbin/iptables", "/usr/bin/setpriv", "/usr/bin/curl")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (apt-get install iproute2 iptables util-linux curl; .ci/run does)";
            }
        }
        return null;
    }

    /** A bridge {@code <prefix>br} holding {@link #BRIDGE_ADDRESS}/24; {@code prefix} keeps names apart (≤ 6 characters). */
    public static NetworkNamespaces create(String prefix) {
        return create(prefix, BRIDGE_ADDRESS);
    }

    /**
     * The same on another /24 ({@code bridgeAddress}/24), so that tests of different modules may run
     * at the same time on one machine without two bridges claiming one subnet.
     */
    public static NetworkNamespaces create(String prefix, String bridgeAddress) {
        NetworkNamespaces n = new NetworkNamespaces(prefix, bridgeAddress);
        n.run("ip", "link", "add", n.bridge, "type", "bridge");
        n.run("ip", "addr", "add", bridgeAddress + "/24", "dev", n.bridge);
        n.run("ip", "link", "set", n.bridge, "up");
        return n;
    }

    /** A task namespace {@code <prefix><name>} with {@code address}/24 on the bridge and a default route through it. */
    public String task(String name, String address) {
        String ns = prefix + name;
        String host = ns + "h";
        String inside = ns + "t";
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
        run("ip", "link", "set", inside, "netns", ns);
        run("ip", "link", "set", host, "master", bridge);
        run("ip", "link", "set", host, "up");
        run("ip", "-n", ns, "addr", "add", address + "/24", "dev", inside);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", ns, "link", "set", inside, "up");
        // Without a default route, packets for other addresses fail before iptables can redirect them.
        run("ip", "-n", ns, "route", "add", "default", "via", bridgeAddress);
        return ns;
    }

    /** The bridge's address in the test's own namespace: what the tasks reach the host (the control API) by. */
    public String bridgeAddress() {
        return bridgeAddress;
    }

    /** Runs a command inside {@code ns} (as root) to its end; its exit code and output. */
    public Result exec(String ns, Map<String, String> env, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full, env, 60);
    }

    /** Starts a long-running process inside {@code ns}, as {@code uid} (and gid) when not null; stopped at {@link #close()}. */
    public Process start(String ns, Integer uid, Map<String, String> env, Path log, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        if (uid != null) {
            full.addAll(List.of("setpriv", "--reuid", uid.toString(), "--regid", uid.toString(), "--clear-groups"));
        }
        full.addAll(List.of(command));
        try {
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("PROXY_") || k.startsWith("APPMESH_") || k.startsWith("AWS_"));
            builder.environment().putAll(env);
            Process p = builder.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a command did. */
    public record Result(int exitCode, String output) {
    }

    public Result run(String... command) {
        Result r = run(List.of(command), Map.of(), 30);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exitCode() + "): " + r.output());
        }
        return r;
    }

    private static Result run(List<String> command, Map<String, String> env, int seconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : namespaces) {
            run(List.of("ip", "netns", "del", ns), Map.of(), 10);
        }
        run(List.of("ip", "link", "del", bridge), Map.of(), 10);
    }
}
