package io.meshwork.terraform.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The terraform CLI on a copy of {@code terraform/} (modules and examples side by side, so the
 * examples' {@code ../../modules} sources resolve), with the machine's offline hashicorp/aws
 * mirror. Tests that need it skip, saying why, where terraform or the mirror is missing.
 */
public final class Terraform {
    private static final String PROVIDER = "registry.terraform.io/hashicorp/aws/5.100.0";
    /** The repository's terraform/ directory (the tests run in it). */
    public static final Path SOURCES = Path.of("").toAbsolutePath();

    private final Path root;
    private final Map<String, String> env = new HashMap<>();

    private Terraform(Path root, Path mirror) throws IOException {
        this.root = root;
        Path cliConfig = root.resolve("cli.tfrc");
        Files.writeString(cliConfig, "provider_installation {\n  filesystem_mirror {\n    path = \"" + mirror
                + "\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n  direct {\n"
                + "    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n");
        env.put("TF_CLI_CONFIG_FILE", cliConfig.toString());
        env.put("TF_IN_AUTOMATION", "1");
        env.put("CHECKPOINT_DISABLE", "1");
    }

    /** A fresh copy of modules/ and examples/ in a temporary directory; skips the test when terraform cannot run here. */
    public static Terraform inCopy() {
        Path mirror = providerMirror();
        Assumptions.assumeTrue(onPath() && mirror != null, "terraform or its offline hashicorp/aws 5.100.0 mirror is missing"
                + " (set MESHWORK_TF_PROVIDER_MIRROR); skipping");
        try {
            Path root = Files.createTempDirectory("meshwork-terraform-");
            for (String dir : new String[]{"modules", "examples"}) {
                copy(SOURCES.resolve(dir), root.resolve(dir));
            }
            return new Terraform(root, mirror);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir(String relative) {
        return root.resolve(relative);
    }

    /** What a terraform command did. */
    public record Result(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + stderr;
        }
    }

    public Result run(String relativeDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("terraform");
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(root.resolve(relativeDir).toFile());
            builder.environment().putAll(env);
            Path out = Files.createTempFile(root, "out", ".txt");
            Path err = Files.createTempFile(root, "err", ".txt");
            Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("terraform " + String.join(" ", args) + " in " + relativeDir + " timed out");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and insists on success. */
    public Result ok(String relativeDir, String... args) {
        Result r = run(relativeDir, args);
        if (r.exitCode() != 0) {
            throw new AssertionError("terraform " + String.join(" ", args) + " in " + relativeDir + " failed (" + r.exitCode()
                    + "):\n" + r.all());
        }
        return r;
    }

    public void delete() {
        TestDirs.delete(root);
    }

    private static boolean onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "terraform"))) {
                return true;
            }
        }
        return false;
    }

    /** MESHWORK_TF_PROVIDER_MIRROR, or the mirror this machine image ships under /opt/tf-plugins. */
    private static Path providerMirror() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("MESHWORK_TF_PROVIDER_MIRROR");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        candidates.add(Path.of("/opt/tf-plugins"));
        candidates.add(Path.of(System.getProperty("user.home"), ".terraform.d", "plugins"));
        return candidates.stream().filter(c -> Files.isDirectory(c.resolve(PROVIDER))).findFirst().orElse(null);
    }

    /** Copies a tree, leaving out terraform's own working files. */
    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(f);
                String s = rel.toString();
                if (s.contains(".terraform") || s.endsWith(".tfstate") || s.endsWith(".tfstate.backup")) {
                    continue;
                }
                Path target = to.resolve(rel);
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
