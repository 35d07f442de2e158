package io.meshwork.packaging.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.packaging.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An image archive unpacked by umoci into a runc bundle: the image's root file system and the
 * config.json umoci derives from the image (user, entrypoint, environment), which a test adjusts
 * the way a task definition or a pod spec would before starting it.
 */
final class Bundle {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ObjectNode config;

    private Bundle(Path dir, ObjectNode config) {
        this.dir = dir;
        this.config = config;
    }

    /** Unpacks the OCI archive {@code archive} into {@code work}/bundle. */
    static Bundle unpack(Path archive, Path work) {
        try {
            Path layout = Files.createDirectories(work.resolve("layout"));
            Command.run("tar", "-xf", archive.toString(), "-C", layout.toString()).check();
            // The one image in the archive, by the name Jib gave it.
            String ref = JSON.readTree(layout.resolve("index.json").toFile()).path("manifests").path(0)
                    .path("annotations").path("org.opencontainers.image.ref.name").asText();
            Path dir = work.resolve("bundle");
            Command.run("umoci", "unpack", "--image", layout + ":" + ref, dir.toString()).check();
            Command.run("rm", "-rf", layout.toString()).check();
            ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
            // No terminal: the container's output goes to the log file runc is started with.
            ((ObjectNode) config.path("process")).put("terminal", false);
            return new Bundle(dir, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another container of the same image in {@code dir}: its own config, this root file system read-only. */
    Bundle sibling(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode copy = config.deepCopy();
        ObjectNode root = JSON.createObjectNode().put("path", this.dir.resolve("rootfs").toString()).put("readonly", true);
        copy.set("root", root);
        return new Bundle(dir, copy);
    }

    JsonNode config() {
        return config;
    }

    Bundle env(String name, String value) {
        unsetEnv(name);
        ((ArrayNode) config.path("process").path("env")).add(name + "=" + value);
        return this;
    }

    /** Without the variable {@code name}, as a pod spec that does not set it. */
    Bundle unsetEnv(String name) {
        ArrayNode env = (ArrayNode) config.path("process").path("env");
        for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).asText().startsWith(name + "=")) {
                env.remove(i);
            }
        }
        return this;
    }

    /** The host directory {@code source} at {@code destination}, read-only: a mounted Secret or ConfigMap. */
    Bundle mountReadOnly(Path source, String destination) {
        ObjectNode mount = ((ArrayNode) config.path("mounts")).addObject();
        mount.put("destination", destination).put("type", "bind").put("source", source.toString());
        mount.putArray("options").add("rbind").add("ro").add("nosuid").add("nodev");
        return this;
    }

    Bundle network(NetworkNamespace ns) {
        for (JsonNode namespace : config.path("linux").path("namespaces")) {
            if ("network".equals(namespace.path("type").asText())) {
                ((ObjectNode) namespace).put("path", ns.path().toString());
            }
        }
        return this;
    }

    /** As ECS readonlyRootFilesystem or Kubernetes readOnlyRootFilesystem, with /tmp a tmpfs (an emptyDir). */
    Bundle readOnlyRootWithTmpfsTmp() {
        ((ObjectNode) config.path("root")).put("readonly", true);
        ObjectNode tmp = ((ArrayNode) config.path("mounts")).addObject();
        tmp.put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
        tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777");
        return this;
    }

    /** Runs {@code args} instead of the image's entrypoint, as {@code uid}, with exactly {@code capabilities}. */
    Bundle process(int uid, String[] capabilities, String... args) {
        ObjectNode process = (ObjectNode) config.path("process");
        process.putObject("user").put("uid", uid).put("gid", uid);
        ArrayNode list = process.putArray("args");
        for (String arg : args) {
            list.add(arg);
        }
        ObjectNode caps = process.putObject("capabilities");
        for (String set : new String[] {"bounding", "effective", "permitted"}) {
            ArrayNode names = caps.putArray(set);
            for (String capability : capabilities) {
                names.add(capability);
            }
        }
        return this;
    }

    /** As a pod's {@code capabilities: drop: [ALL]} and {@code allowPrivilegeEscalation: false}. */
    Bundle noCapabilitiesNoPrivilegeEscalation() {
        ObjectNode process = (ObjectNode) config.path("process");
        ObjectNode caps = process.putObject("capabilities");
        for (String set : new String[] {"bounding", "effective", "permitted", "inheritable", "ambient"}) {
            caps.putArray(set);
        }
        process.put("noNewPrivileges", true);
        return this;
    }

    Path dir() {
        return dir;
    }


    /** Writes config.json; runc reads it when the container is created. */
    Bundle save() {
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
