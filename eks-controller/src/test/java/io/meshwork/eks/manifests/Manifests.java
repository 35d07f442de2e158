package io.meshwork.eks.manifests;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Finds, reads and builds the module's manifests for the tests in this package. */
final class Manifests {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

  private Manifests() {}

  /** The eks-controller module directory (Maven runs tests there; basedir says so too). */
  static Path moduleDir() {
    Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("config/crd/bases"))) {
      throw new IllegalStateException("not the eks-controller module directory: " + dir);
    }
    return dir;
  }

  static Path configDir() {
    return moduleDir().resolve("config");
  }

  static Path samplesDir(String which) {
    return moduleDir().resolve("src/test/resources/samples").resolve(which);
  }

  static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every non-empty YAML document in the file, as JSON trees. */
  static List<JsonNode> yamlDocuments(Path file) {
    Load load = new Load(LoadSettings.builder().setLabel(file.toString()).build());
    List<JsonNode> documents = new ArrayList<>();
    for (Object document : load.loadAllFromString(read(file))) {
      if (document != null) {
        documents.add(JSON.valueToTree(document));
      }
    }
    return documents;
  }

  static JsonNode yamlDocument(Path file) {
    List<JsonNode> documents = yamlDocuments(file);
    if (documents.size() != 1) {
      throw new IllegalStateException(file + " holds " + documents.size() + " documents, not 1");
    }
    return documents.get(0);
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The kubectl binary: $KUBECTL, else /usr/bin/kubectl, else kubectl on the PATH. */
  static String kubectl() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    return Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : "kubectl";
  }

  /** `kubectl kustomize dir`, as the YAML text it prints. */
  static String kustomize(Path dir) {
    ProcessResult result = run(List.of(kubectl(), "kustomize", dir.toString()), dir);
    if (result.exitCode() != 0) {
      throw new AssertionError("kubectl kustomize " + dir + " exited " + result.exitCode()
          + ":\n" + result.stderr());
    }
    return result.stdout();
  }

  /** Every object `kubectl kustomize dir` prints, read by fabric8 into its typed classes. */
  static List<HasMetadata> kustomizeObjects(Path dir) {
    String yaml = kustomize(dir);
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---$")) {
      if (!document.isBlank()) {
        objects.add(KUBERNETES.unmarshal(document, HasMetadata.class));
      }
    }
    return objects;
  }

  record ProcessResult(int exitCode, String stdout, String stderr) {}

  static ProcessResult run(List<String> command, Path workingDir) {
    try {
      Path stderrFile = Files.createTempFile("meshwork-manifests", ".stderr");
      try {
        Process process = new ProcessBuilder(command)
            .directory(workingDir.toFile())
            .redirectError(stderrFile.toFile())
            .start();
        process.getOutputStream().close();
        String stdout;
        try (InputStream in = process.getInputStream()) {
          stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError("timed out: " + command);
        }
        return new ProcessResult(process.exitValue(), stdout, Files.readString(stderrFile));
      } finally {
        Files.deleteIfExists(stderrFile);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }
}
