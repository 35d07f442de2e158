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

    /**
     * Skips the calling test class unless images can be unpacked and run here, and says why on the
     * build's output (a class skipped in @BeforeAll is otherwise reported as no tests at all).
     */
    static void assumeImagesRunnable(String test, String... modules) {
        String reason = whyNotRunnable(modules);
        if (reason != null) {
            System.out.println(test + " skipped: " + reason);
        }
        assumeTrue(reason == null, reason);
    }

    private static String whyNotRunnable(String... modules) {
        if (!Boolean.getBoolean("meshwork.images.built")) {
            return "the images are built and tested only with -Pimages (mvn -B -Pimages verify)";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "running images needs root (network namespaces, runc)";
        }
        for (String tool : new String[] {"runc", "umoci", "ip", "curl"}) {
            if (!Command.onPath(tool)) {
                return tool + " is missing (apt-get install runc umoci iproute2 curl)";
            }
        }
        for (String module : modules) {
            if (!Files.isRegularFile(archive(module))) {
                return archive(module) + " was not built";
            }
        }
        return null;
    }
}
