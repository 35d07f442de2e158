package io.meshwork.packaging;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A command run to completion, as an operator would type it: its exit code and what it printed. */
public record Command(List<String> line, int exitCode, String output) {

    public static Command run(String... line) {
        return run(Map.of(), null, Duration.ofMinutes(2), line);
    }

    /** Runs {@code line} with {@code env} added, in {@code dir} (null: here), stdout and stderr together. */
    public static Command run(Map<String, String> env, Path dir, Duration timeout, String... line) {
        Path out = null;
        try {
            // Output to a file, not a pipe: a command that leaves a child behind (runc) would hold a pipe open.
            out = Files.createTempFile("command-", ".out");
            ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", line) + " did not finish within " + timeout
                        + ":\n" + Files.readString(out));
            }
            return new Command(List.of(line), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    /** Fails with the command's output unless it exited 0. */
    public Command check() {
        if (exitCode != 0) {
            throw new IllegalStateException(String.join(" ", line) + " exited " + exitCode + ":\n" + output);
        }
        return this;
    }

    public static boolean onPath(String tool) {
        return run("sh", "-c", "command -v " + tool).exitCode() == 0;
    }
}
