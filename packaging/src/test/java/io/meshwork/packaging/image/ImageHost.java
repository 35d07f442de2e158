package io.meshwork.packaging.image;

import io.meshwork.packaging.Command;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the image tests need from this machine, and where the image archives are. */
final class ImageHost {
    static final Path ROOT = Path.of(System.getProperty("meshwork.root", "..")).toAbsolutePath().normalize();

    private ImageHost() {
    }

    /** The archive that {@code mvn -Pimages package} writes for a module (DESIGN.md, "Packaging"). */
    static Path archive(String module) {
        return ROOT.resolve(module).resolve("target").resolve("meshwork-" + module + "-image.tar");
    }

    /** Skips the calling test, saying why, unless images can be unpacked and run here. */
    static void assumeImagesRunnable(String... modules) {
        assumeTrue(Boolean.getBoolean("meshwork.images.built"),
                "skipped: the images are built and tested only with -Pimages (mvn -B -Pimages verify)");
        assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: running images needs root (network namespaces, runc)");
        for (String tool : new String[] {"runc", "umoci", "ip", "curl"}) {
            assumeTrue(Command.onPath(tool), "skipped: " + tool + " is missing (apt-get install runc umoci iproute2 curl)");
        }
        for (String module : modules) {
            assumeTrue(Files.isRegularFile(archive(module)), "skipped: " + archive(module) + " was not built");
        }
    }
}
