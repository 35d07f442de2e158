package io.meshwork.packaging.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.packaging.Command;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A container started by runc from a {@link Bundle}; its output goes to a log file. */
final class Container implements AutoCloseable {
    private final String id;
    private final Path log;

    private Container(String id, Path log) {
        this.id = id;
        this.log = log;
    }

    /** Starts the bundle's process in the background, as a long-running task container. */
    static Container start(Bundle bundle, String name) {
        Container container = new Container(name + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()),
                bundle.dir().resolveSibling(bundle.dir().getFileName() + ".log"));
        bundle.save();
        try {
            // runc run -d returns once the process runs; the process keeps runc's stdout and stderr.
            Process runc = new ProcessBuilder("runc", "run", "--detach", "--bundle", bundle.dir().toString(), container.id)
                    .redirectErrorStream(true).redirectOutput(container.log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!runc.waitFor(60, TimeUnit.SECONDS) || runc.exitValue() != 0) {
                runc.destroyForcibly();
                throw new IllegalStateException("runc could not start " + container.id + ":\n" + container.log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return container;
    }

    /** Runs the bundle's process to its end, as an init container: exit code and output. */
    static Command runToEnd(Bundle bundle, String name) {
        String id = name + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        bundle.save();
        try {
            return Command.run(Map.of(), null, Duration.ofMinutes(1), "runc", "run", "--bundle", bundle.dir().toString(), id);
        } finally {
            Command.run("runc", "delete", "--force", id);
        }
    }

    /** The container's first process, as the host sees it. */
    long pid() {
        try {
            return new ObjectMapper().readTree(Command.run("runc", "state", id).check().output()).path("pid").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line of /proc/PID/status of the container's first process, e.g. "Uid:" (real, effective, saved, fs). */
    String status(String field) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status")).stream()
                    .filter(line -> line.startsWith(field)).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command inside the running container, as its user: what ECS and EKS health checks do. */
    Command exec(String... line) {
        String[] full = new String[line.length + 3];
        full[0] = "runc";
        full[1] = "exec";
        full[2] = id;
        System.arraycopy(line, 0, full, 3, line.length);
        return Command.run(Map.of(), null, Duration.ofSeconds(30), full);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        Command.run("runc", "delete", "--force", id);
    }
}
