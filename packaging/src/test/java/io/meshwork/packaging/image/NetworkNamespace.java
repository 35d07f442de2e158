package io.meshwork.packaging.image;

import io.meshwork.packaging.Command;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace of the test's own, joined to this host by a veth pair: the containers' network,
 * as a task's awsvpc interface is on ECS. The host side is {@link #hostAddress()}, the namespace side
 * {@link #address()}; both are on a /30 that exists only between the two (nothing is forwarded).
 */
final class NetworkNamespace implements AutoCloseable {
    private final String name;
    private final String hostLink;
    private final int subnet;

    private NetworkNamespace(String name, String hostLink, int subnet) {
        this.name = name;
        this.hostLink = hostLink;
        this.subnet = subnet;
    }

    static NetworkNamespace create() {
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        // 10.213.S.0/30 with S random: tests on this machine in parallel are unlikely to meet.
        int subnet = ThreadLocalRandom.current().nextInt(0, 256);
        NetworkNamespace ns = new NetworkNamespace("mwimg-" + id, "mwi" + id + "h", subnet);
        String inside = "mwi" + id + "c";
        Command.run("ip", "netns", "add", ns.name).check();
        try {
            Command.run("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", inside).check();
            Command.run("ip", "link", "set", inside, "netns", ns.name).check();
            Command.run("ip", "addr", "add", ns.hostAddress() + "/30", "dev", ns.hostLink).check();
            Command.run("ip", "link", "set", ns.hostLink, "up").check();
            Command.run("ip", "-n", ns.name, "addr", "add", ns.address() + "/30", "dev", inside).check();
            Command.run("ip", "-n", ns.name, "link", "set", "lo", "up").check();
            Command.run("ip", "-n", ns.name, "link", "set", inside, "up").check();
            // Without a default route, outbound connections fail before the nat rules see them.
            Command.run("ip", "-n", ns.name, "route", "add", "default", "via", ns.hostAddress()).check();
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    String hostAddress() {
        return "10.213." + subnet + ".1";
    }

    String address() {
        return "10.213." + subnet + ".2";
    }

    /** The file runc's config names as the container's network namespace. */
    Path path() {
        return Path.of("/var/run/netns", name);
    }

    /** Runs a host command inside the namespace (as root, so not exempt from the redirect rules). */
    Command exec(String... line) {
        String[] full = new String[line.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(line, 0, full, 4, line.length);
        return Command.run(full);
    }

    @Override
    public void close() {
        Command.run("ip", "link", "del", hostLink);
        Command.run("ip", "netns", "del", name);
    }
}
