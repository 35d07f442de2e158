package io.meshwork.proxy.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The files this JVM holds open, from /proc (Linux): to show a file was let go of. */
public final class OpenFiles {
    private OpenFiles() {
    }

    /** Whether a file descriptor of this JVM points at {@code file}. */
    public static boolean heldByThisProcess(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            });
        }
    }
}
