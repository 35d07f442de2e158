package io.meshwork.proxy.config;

import io.meshwork.proxyapi.ProxySnapshot;
import io.meshwork.proxyapi.SnapshotJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The last snapshot the proxy applied, kept on disk so that a proxy restarted while the control
 * plane is unreachable serves what it served before (static stability).
 */
public final class SnapshotFile {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

    private final Path file;

    public SnapshotFile(Path file) {
        this.file = file;
    }

    /** The saved snapshot and the bytes it was read from (applied as they are: no second parse, no re-encoding). */
    public Optional<Saved> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            byte[] json = Files.readAllBytes(file);
            return Optional.of(new Saved(SnapshotJson.read(json), json));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring the saved snapshot {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes atomically: a crash mid-write leaves the previous good file. */
    public void save(byte[] json) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, json);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("could not save the snapshot to {}: {}", file, e.getMessage());
        }
    }

    public record Saved(ProxySnapshot snapshot, byte[] json) {
    }

    public Path path() {
        return file;
    }
}
